"""Fault injection, stuck-pending messages and the /_sim control endpoints."""

import time

from simulator.outcomes import code_for

SERVER_ERRORS = {
    503: {"error": {"errorCode": "500", "message": "Endpoint Error"}},
    504: {"error": {"errorCode": "510", "message": "Endpoint Timeout"}},
    500: {"error": {"errorCode": "900", "message": "Unexpected Error"}},
}


def test_rate_429_answers_throttled_and_records_nothing(sens, sms_body):
    sens.faults(rate_429=1.0)
    answer = sens.send(sms_body("01012345678"))
    assert answer.status_code == 429
    assert answer.json() == {"error": {"errorCode": "410", "message": "Throttle Limited"}}
    stats = sens.stats()
    assert (stats["requests_accepted"], stats["messages_accepted"]) == (0, 0)
    assert stats["sent_to"] == {} and stats["responses"] == {"429": 1}


def test_rate_5xx_answers_a_gateway_5xx_and_records_nothing(sens, sms_body):
    sens.faults(rate_5xx=1.0)
    statuses = set()
    for _ in range(12):
        answer = sens.send(sms_body("01012345678"))
        assert answer.json() == SERVER_ERRORS[answer.status_code]
        statuses.add(answer.status_code)
    assert len(statuses) >= 2
    stats = sens.stats()
    assert stats["requests_accepted"] == 0
    assert sum(stats["responses"].values()) == 12


def test_faults_come_after_auth(sens, sms_body):
    sens.faults(rate_429=1.0)
    uri = sens.uri("/messages")
    headers = sens.signed_headers("POST", uri)
    headers["x-ncp-apigw-signature-v2"] = "bogus"
    assert sens.raw("POST", uri, headers, sms_body("01012345678")).status_code == 401


def test_slow_replies_wait(sens, sms_body):
    sens.faults(slow_rate=1.0, slow_seconds=0.3)
    started = time.monotonic()
    assert sens.send(sms_body("01012345678")).status_code == 202
    assert time.monotonic() - started >= 0.3


def test_pending_rate_keeps_messages_processing(sens, sms_body):
    sens.faults(pending_rate=1.0)
    request_id = sens.send(sms_body("01012345678", "01087654321")).json()["requestId"]
    time.sleep(0.4)
    listed = sens.list(requestId=request_id).json()["messages"]
    assert [m["status"] for m in listed] == ["PROCESSING", "PROCESSING"]
    assert all(m["statusCode"] is None and m["completeTime"] is None for m in listed)


def test_seed_changes_outcomes(sens, sms_body):
    sens.faults(seed=7)
    numbers = [f"010{i:08d}" for i in range(40)]
    request_id = sens.send(sms_body(*numbers)).json()["requestId"]
    time.sleep(0.35)
    listed = sens.list(requestId=request_id).json()["messages"]
    assert [m["statusCode"] for m in listed] == [code_for(7, n) for n in numbers]


def test_faults_endpoint_shows_and_validates(sens):
    shown = sens.control("GET", "/_sim/faults").json()
    assert shown == {
        "seed": 42,
        "complete_delay": 0.2,
        "rate_429": 0.0,
        "rate_5xx": 0.0,
        "slow_rate": 0.0,
        "slow_seconds": 0.0,
        "pending_rate": 0.0,
        "recover_after": 0,
        "rate_limit": 0.0,
        "rate_burst": 0.0,
        "lost_rate": 0.0,
        "lost_seconds": 30.0,
    }
    assert sens.faults(rate_429=0.25)["rate_429"] == 0.25
    bad = sens.control("POST", "/_sim/faults", {"rate_429": 2})
    assert (bad.status_code, bad.json()) == (400, {"error": "rate_429 must be in [0, 1]"})
    unknown = sens.control("POST", "/_sim/faults", {"nope": 1})
    assert unknown.json() == {"error": "unknown fault settings: nope"}
    assert sens.control("GET", "/_sim/faults").json()["rate_429"] == 0.25


def test_health_and_reset(sens, sms_body):
    assert sens.control("GET", "/_sim/health").json() == {"ok": True}
    request_id = sens.send(sms_body("01012345678")).json()["requestId"]
    assert sens.stats()["requests_accepted"] == 1
    assert sens.control("POST", "/_sim/reset").json() == {"ok": True}
    assert sens.stats() == {
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
        "files_uploaded": 0,
        "files_reused": 0,
        "mms_requests": 0,
        "list_queries": 0,
    }
    assert sens.list(requestId=request_id).status_code == 404
