"""Faults on the send endpoint (429, 5xx, slow, lost, own rate limit) and their settings."""

import time

import pytest
import requests

NUMBER = "+447700900123"


def test_faults_show_the_webhook_fields(apiplex):
    shown = apiplex.control("GET", "/_sim/faults").json()
    assert {k: shown[k] for k in ("seed", "complete_delay", "webhook_shuffle")} == {
        "seed": 42,
        "complete_delay": 0.2,
        "webhook_shuffle": False,
    }
    assert shown["webhook_duplicate_rate"] == shown["webhook_late_pending_rate"] == 0.0
    assert shown["webhook_burst_seconds"] == 0.0 and "refuse_rate" not in shown


@pytest.mark.parametrize(
    "change",
    [
        {"webhook_late_pending_rate": 1.5},
        {"webhook_duplicate_rate": 2},
        {"webhook_shuffle": "yes"},
        {"webhook_burst_seconds": -1},
        {"refuse_rate": 0.1},
    ],
)
def test_invalid_fault_settings_are_refused(apiplex, change):
    answer = apiplex.control("POST", "/_sim/faults", change)
    assert answer.status_code == 400, answer.text


def test_rate_429_answers_too_many_requests(apiplex, body):
    apiplex.faults(rate_429=1.0)
    answer = apiplex.send(body(NUMBER))
    assert answer.status_code == 429 and answer.json()["code"] == "429"
    assert apiplex.stats()["requests_accepted"] == 0


def test_rate_5xx_answers_server_errors(apiplex, body):
    apiplex.faults(rate_5xx=1.0)
    answers = [apiplex.send(body(NUMBER)) for _ in range(10)]
    assert {a.status_code for a in answers} == {500, 503}
    assert all(a.json()["code"] == str(a.status_code) for a in answers)
    assert apiplex.stats()["requests_accepted"] == 0


def test_slow_answers(apiplex, body):
    apiplex.faults(slow_rate=1.0, slow_seconds=0.3)
    started = time.monotonic()
    assert apiplex.send(body(NUMBER)).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_lost_answer_is_accepted_but_answered_late(apiplex, body, receiver):
    apiplex.webhook(receiver.url)
    apiplex.faults(lost_rate=1.0, lost_seconds=1.0)
    with pytest.raises(requests.exceptions.ReadTimeout):
        apiplex.http.post(
            f"{apiplex.base_url}/gms-kg/v2/send",
            json=body(NUMBER),
            headers={"Authorization": apiplex.api_key},
            timeout=0.3,
        )
    stats = apiplex.stats()
    assert (stats["requests_accepted"], stats["lost_answers"]) == (1, 1)
    assert [r["to"] for r in receiver.wait_for(1)] == [NUMBER]  # the result still comes


def test_own_rate_limit(apiplex, body):
    apiplex.faults(rate_limit=1.0, rate_burst=1.0)
    assert apiplex.send(body(NUMBER)).status_code == 200
    refused = apiplex.send(body(NUMBER))
    assert refused.status_code == 429 and refused.json()["code"] == "429"
    stats = apiplex.stats()
    assert (stats["rate_limited"], stats["requests_accepted"]) == (1, 1)


def test_clock_moves_completion_forward(apiplex, body, receiver):
    apiplex.webhook(receiver.url)
    apiplex.faults(complete_delay=3600.0)
    apiplex.accepted(body(NUMBER))
    time.sleep(0.2)
    assert receiver.calls == []
    answer = apiplex.control("POST", "/_sim/clock", {"advance_seconds": 7200})
    assert answer.json() == {"offset_seconds": 7200.0}
    assert [r["to"] for r in receiver.wait_for(1)] == [NUMBER]
