"""Reserved sends in the simulator: validation, reserve-status, cancel, and the movable clock."""

import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from simulator.outcomes import code_for
from worker.domain.windows import complete_windows

SEOUL = ZoneInfo("Asia/Seoul")
NUMBERS = ("01012340001", "01012340002", "01012340003")


def sim_now(sens) -> float:
    """The simulator's lifecycle clock: wall clock plus the /_sim/clock offset."""
    return time.time() + sens.control("GET", "/_sim/clock").json()["offset_seconds"]


def ahead(sens, seconds: float, zone: str = "Asia/Seoul") -> str:
    """yyyy-MM-dd HH:mm for sim-now + `seconds` (truncated to the minute, as SENS takes it)."""
    return datetime.fromtimestamp(sim_now(sens) + seconds, ZoneInfo(zone)).strftime(
        "%Y-%m-%d %H:%M"
    )


def epoch(text: str, zone: str = "Asia/Seoul") -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(zone)).timestamp()


def advance_to(sens, moment: float) -> None:
    """Move the simulator's now to `moment` (epoch seconds)."""
    answer = sens.control("POST", "/_sim/clock", {"advance_seconds": moment - sim_now(sens)})
    assert answer.status_code == 200, answer.text


def status(sens, reserve_id: str) -> Any:
    return sens.call("GET", sens.uri(f"/reservations/{reserve_id}/reserve-status"))


def cancel(sens, reserve_id: str) -> Any:
    return sens.call("DELETE", sens.uri(f"/reservations/{reserve_id}"))


def reserve(sens, sms_body, minutes: float = 12, **extra: Any) -> tuple[str, str]:
    text = ahead(sens, minutes * 60, extra.get("reserveTimeZone", "Asia/Seoul"))
    answer = sens.send(sms_body(*NUMBERS, reserveTime=text, **extra))
    assert answer.status_code == 202, answer.text
    assert answer.json()["statusName"] == "success"
    return answer.json()["requestId"], text


def sweep(sens) -> list[dict[str, Any]]:
    """A complete-time sweep over the last two days, built by worker.domain.windows."""
    now = datetime.fromtimestamp(sim_now(sens), SEOUL)
    found = []
    for query in complete_windows(now - timedelta(days=2), now, now):
        answer = sens.list(**query.params())
        assert answer.status_code == 200, answer.text
        found += answer.json()["messages"]
    return found


# --- the clock ---------------------------------------------------------------------------


def test_clock_control_endpoint(sens) -> None:
    assert sens.control("GET", "/_sim/clock").json() == {"offset_seconds": 0.0}
    moved = sens.control("POST", "/_sim/clock", {"advance_seconds": 90})
    assert moved.json() == {"offset_seconds": 90.0}
    moved = sens.control("POST", "/_sim/clock", {"advance_seconds": 10.5})
    assert sens.control("GET", "/_sim/clock").json() == {"offset_seconds": 100.5}
    for bad in ({"advance_seconds": -1}, {"advance_seconds": "60"}, {}, [1]):
        answer = sens.control("POST", "/_sim/clock", bad)
        assert answer.status_code == 400 and "error" in answer.json()
    sens.control("POST", "/_sim/reset")
    assert sens.control("GET", "/_sim/clock").json() == {"offset_seconds": 0.0}


def test_signatures_stay_on_the_wall_clock(sens, sms_body) -> None:
    sens.control("POST", "/_sim/clock", {"advance_seconds": 3600})
    assert sens.send(sms_body("01012345678")).status_code == 202
    uri = sens.uri("/messages")
    skewed = sens.signed_headers("POST", uri, offset_ms=3_600_000)  # signed at sim-now
    assert sens.raw("POST", uri, skewed, sms_body("01012345678")).status_code == 401


def test_window_rules_follow_the_simulator_clock(sens, sms_body) -> None:
    sent_at = sim_now(sens)
    request_id = sens.send(sms_body("01012345678")).json()["requestId"]
    window = {"requestStartTime": _seoul(sent_at - 60), "requestEndTime": _seoul(sent_at + 60)}
    assert len(sens.list(**window).json()["messages"]) == 1
    sens.control("POST", "/_sim/clock", {"advance_seconds": 95 * 86400})
    answer = sens.list(**window)  # 95 days ago on the simulator clock: out of the history
    assert answer.status_code == 400
    assert "history is kept 90 days" in answer.json()["errorMessage"]
    assert sens.list(requestId=request_id).status_code == 200


# --- reserving ---------------------------------------------------------------------------


def test_reserved_request_waits_then_goes_out_from_its_reserve_time(sens, sms_body) -> None:
    sens.faults(complete_delay=600.0)  # 300-900 s after the start; READY for the first 30 %
    request_id, text = reserve(sens, sms_body)
    at = epoch(text)
    answer = status(sens, request_id)
    assert answer.status_code == 200
    assert answer.json() == {
        "reserveId": request_id,
        "reserveTimeZone": "Asia/Seoul",
        "reserveTime": text,
        "reserveStatus": "READY",
    }
    listed = sens.list(requestId=request_id).json()
    assert (listed["statusName"], listed["messages"], listed["itemCount"]) == ("reserved", [], 0)
    assert listed["hasMore"] is False

    advance_to(sens, at + 60)  # 12+ min after acceptance, but 60 s after the reserve time
    assert status(sens, request_id).json()["reserveStatus"] == "DONE"
    listed = sens.list(requestId=request_id).json()
    assert listed["statusName"] == "success"
    assert [m["status"] for m in listed["messages"]] == ["READY"] * 3
    advance_to(sens, at + 280)
    assert {m["status"] for m in sens.list(requestId=request_id).json()["messages"]} == {
        "PROCESSING"
    }
    advance_to(sens, at + 1000)
    done = sens.list(requestId=request_id).json()["messages"]
    assert [m["status"] for m in done] == ["COMPLETED"] * 3
    assert [m["statusCode"] for m in done] == [code_for(42, n) for n in NUMBERS]
    assert all(m["completeTime"] >= text for m in done)


def test_reserved_messages_complete_with_the_usual_codes(sens, sms_body) -> None:
    request_id, text = reserve(sens, sms_body)
    advance_to(sens, epoch(text) + 5)  # complete_delay 0.2 s: all done by now
    messages = sens.list(requestId=request_id).json()["messages"]
    assert [(m["to"], m["statusCode"]) for m in messages] == [(n, code_for(42, n)) for n in NUMBERS]
    stats = sens.stats()
    assert (stats["reservations_accepted"], stats["reservations_canceled"]) == (1, 0)


def test_other_zone_is_kept_and_honoured(sens, sms_body) -> None:
    request_id, text = reserve(sens, sms_body, reserveTimeZone="Europe/London")
    body = status(sens, request_id).json()
    assert (body["reserveTimeZone"], body["reserveTime"]) == ("Europe/London", text)
    advance_to(sens, epoch(text, "Europe/London") - 30)
    assert status(sens, request_id).json()["reserveStatus"] == "READY"
    advance_to(sens, epoch(text, "Europe/London") + 1)
    assert status(sens, request_id).json()["reserveStatus"] == "DONE"


# --- cancelling --------------------------------------------------------------------------


def test_cancel_before_the_reserve_time(sens, sms_body, running_simulator) -> None:
    request_id, text = reserve(sens, sms_body)
    answer = cancel(sens, request_id)
    assert (answer.status_code, answer.content) == (204, b"")
    assert status(sens, request_id).json()["reserveStatus"] == "CANCELED"
    advance_to(sens, epoch(text) + 3600)
    assert status(sens, request_id).json()["reserveStatus"] == "CANCELED"
    listed = sens.list(requestId=request_id).json()
    assert (listed["statusName"], listed["messages"]) == ("reserved", [])
    assert sweep(sens) == []
    message = running_simulator.app.store.request(request_id).messages[0]
    one = sens.get(message.message_id).json()["messages"][0]
    assert (one["status"], one["statusCode"], one["completeTime"]) == ("READY", None, None)
    stats = sens.stats()
    assert (stats["reservations_accepted"], stats["reservations_canceled"]) == (1, 1)
    assert stats["messages_canceled"] == 3
    again = cancel(sens, request_id)
    assert again.status_code == 400
    assert "already canceled" in again.json()["errorMessage"]


def test_cancel_after_it_went_out_is_400(sens, sms_body) -> None:
    request_id, text = reserve(sens, sms_body)
    advance_to(sens, epoch(text) + 1)
    answer = cancel(sens, request_id)
    assert answer.status_code == 400
    assert "reserveTime has passed" in answer.json()["errorMessage"]
    assert status(sens, request_id).json()["reserveStatus"] == "DONE"
    assert sens.stats()["reservations_canceled"] == 0


def test_unknown_or_unreserved_ids_are_404(sens, sms_body) -> None:
    plain = sens.send(sms_body("01012345678")).json()["requestId"]
    for reserve_id in ("RSSA-0-0000-unknown", plain):
        for answer in (status(sens, reserve_id), cancel(sens, reserve_id)):
            assert answer.status_code == 404
            assert reserve_id in answer.json()["errorMessage"]


# --- refusals ----------------------------------------------------------------------------


def test_reserve_time_under_10_minutes_is_400(sens, sms_body) -> None:
    text = ahead(sens, 9 * 60)
    answer = sens.send(sms_body("01012345678", reserveTime=text))
    assert answer.status_code == 400
    message = answer.json()["errorMessage"]
    assert "reserveTime" in message and "at least 10 minutes" in message
    assert sens.stats()["requests_accepted"] == 0


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({"reserveTimeZone": "Mars/Olympus"}, "reserveTimeZone 'Mars/Olympus' is not a known"),
        ({"reserveTimeZone": "../etc/passwd"}, "is not a known time zone"),
        ({"reserveTimeZone": 9}, "is not a known time zone"),
        ({"reserveTime": "2099-01-01T10:00"}, "is not yyyy-MM-dd HH:mm"),
        ({"reserveTime": "2099-13-01 10:00"}, "is not yyyy-MM-dd HH:mm"),
        ({"reserveTime": "2099-01-01 10:00:00"}, "is not yyyy-MM-dd HH:mm"),
        ({"reserveTime": None, "reserveTimeZone": "Asia/Seoul"}, "without reserveTime"),
    ],
)
def test_malformed_reservation_is_400(sens, sms_body, extra: dict, needle: str) -> None:
    body = sms_body("01012345678", reserveTime="2099-01-01 10:00")
    body.update(extra)
    answer = sens.send(body)
    assert answer.status_code == 400
    assert needle in answer.json()["errorMessage"]


# --- listing while reserved --------------------------------------------------------------


def test_windows_skip_reserved_messages_until_they_complete(sens, sms_body) -> None:
    request_id, text = reserve(sens, sms_body)
    now = sim_now(sens)
    window = {"requestStartTime": _seoul(now - 60), "requestEndTime": _seoul(now + 60)}
    assert sens.list(**window).json()["messages"] == []  # "reserved": not searched
    assert sweep(sens) == []
    advance_to(sens, epoch(text) + 5)
    swept = sweep(sens)
    assert sorted(m["to"] for m in swept) == sorted(NUMBERS)
    assert {m["requestId"] for m in swept} == {request_id}
    assert [m["to"] for m in sens.list(**window).json()["messages"]] == list(NUMBERS)


def _seoul(moment: float) -> str:
    return datetime.fromtimestamp(moment, SEOUL).strftime("%Y-%m-%d %H:%M:%S")
