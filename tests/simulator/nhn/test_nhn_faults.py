"""Fault injection on the NHN simulator: 429, 5xx, slow, lost answers, its own rate limit."""

import time

import pytest
import requests
from conftest import SEED, kst, result_code

from simulator.nhn.faults import NhnFaultSettings


def test_rate_429_answers_a_header_and_records_nothing(nhn, body):
    nhn.faults(rate_429=1.0)
    answer = nhn.send(body("01012345678"))
    assert answer.status_code == 429
    assert answer.json()["header"]["isSuccessful"] is False
    assert result_code(answer) == -9999
    stats = nhn.stats()
    assert (stats["requests_accepted"], stats["responses"]) == (0, {"429": 1})


def test_rate_5xx_answers_500_or_503_with_minus_9999(nhn, body):
    nhn.faults(rate_5xx=1.0)
    statuses = set()
    for _ in range(12):
        answer = nhn.send(body("01012345678"))
        assert answer.json()["header"] == {
            "isSuccessful": False,
            "resultCode": -9999,
            "resultMessage": "System error. Please inquire at support@toast.com.",
        }
        statuses.add(answer.status_code)
    assert statuses == {500, 503}
    assert nhn.stats()["requests_accepted"] == 0


def test_slow_replies_wait(nhn, body):
    nhn.faults(slow_rate=1.0, slow_seconds=0.3)
    started = time.monotonic()
    assert nhn.send(body("01012345678")).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_a_lost_answer_times_out_but_the_send_is_accepted(nhn, body):
    nhn.faults(lost_rate=1.0, lost_seconds=0.6)
    with pytest.raises(requests.exceptions.ReadTimeout):
        nhn.http.post(
            nhn.base_url + nhn.uri("/sender/sms"),
            json=body("01012345678"),
            headers={"X-Secret-Key": nhn.secret_key},
            timeout=0.2,
        )
    stats = nhn.stats()
    assert (stats["requests_accepted"], stats["messages_accepted"]) == (1, 1)
    assert stats["lost_answers"] == 1
    now = nhn.sim_now()
    window = {"startCreateDate": kst(now - 60), "endCreateDate": kst(now + 60)}
    listed = nhn.list(**window).json()["body"]["data"]
    assert [m["recipientNo"] for m in listed] == ["01012345678"]  # the provider has it
    started = time.monotonic()
    late = nhn.send(body("01087654321"))
    assert time.monotonic() - started >= 0.6
    assert late.json()["header"]["isSuccessful"]
    request_id = late.json()["body"]["data"]["requestId"]
    assert [m["recipientNo"] for m in nhn.listed(request_id)] == ["01087654321"]


def test_refused_sends_are_never_lost(nhn, body):
    nhn.faults(lost_rate=1.0, lost_seconds=5)
    started = time.monotonic()
    assert result_code(nhn.send(body())) == -2001
    assert nhn.list(requestId="x").json()["header"]["isSuccessful"]
    assert time.monotonic() - started < 2
    assert nhn.stats()["lost_answers"] == 0


def test_own_rate_limit_is_429(nhn, body):
    nhn.faults(rate_limit=1, rate_burst=2)
    codes = [nhn.send(body("01012345678")).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    stats = nhn.stats()
    assert (stats["requests_accepted"], stats["rate_limited"]) == (2, 1)
    assert nhn.list(requestId="x").status_code == 200  # queries are not limited
    nhn.faults(rate_limit=None)
    assert nhn.send(body("01012345678")).status_code == 200


def test_faults_endpoint_shows_and_validates(nhn):
    shown = nhn.control("GET", "/_sim/faults").json()
    assert shown == NhnFaultSettings(seed=SEED, complete_delay=0.2).to_dict()
    assert {"refuse_rate", "webhook_duplicate_rate", "webhook_shuffle", "lost_rate"} <= set(shown)
    assert nhn.faults(webhook_shuffle=True)["webhook_shuffle"] is True
    bad = nhn.control("POST", "/_sim/faults", {"refuse_rate": 1.5})
    assert bad.json() == {"error": "refuse_rate must be in [0, 1]"}
    flag = nhn.control("POST", "/_sim/faults", {"webhook_shuffle": 1})
    assert flag.json() == {"error": "webhook_shuffle must be true or false"}


def test_stats_and_reset(nhn, body):
    nhn.accepted(body("01012345678"))
    nhn.advance(60)
    assert nhn.control("POST", "/_sim/reset").json() == {"ok": True}
    assert nhn.control("GET", "/_sim/clock").json() == {"offset_seconds": 0.0}
    assert nhn.control("GET", "/_sim/health").json() == {"ok": True}
    assert nhn.stats() == {
        "requests_accepted": 0,
        "messages_accepted": 0,
        "duplicate_messages": 0,
        "duplicates": [],
        "responses": {},
        "window_rejections": 0,
        "rate_limited": 0,
        "reservations_accepted": 0,
        "reservations_canceled": 0,
        "messages_canceled": 0,
        "accepted_times": [],
        "sent_to": {},
        "lost_answers": 0,
        "refused_recipients": 0,
        "webhook_deliveries": 0,
        "webhook_retries": 0,
        "webhook_failures": 0,
        "webhook_duplicates": 0,
    }
