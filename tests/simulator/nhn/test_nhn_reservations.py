"""requestDate reservations: held until their time, listed, fetched and canceled per message."""

import pytest
from conftest import SEED, epoch, kst, result_code

from simulator.nhn.outcomes import code_for, result_for
from simulator.nhn.queries import month_after
from simulator.nhn.times import parse_query_date

NUMBERS = ("01012340001", "01012340002", "01012340003")


def reserve(nhn, body, minutes: float = 30, **extra) -> tuple[str, str]:
    text = kst(nhn.sim_now() + minutes * 60, "%Y-%m-%d %H:%M")
    data = nhn.accepted(body(*NUMBERS, requestDate=text, **extra))
    return data["requestId"], text


def reservations(nhn, version: str = "v3.0", **params):
    answer = nhn.call("GET", "/reservations", params=params, version=version).json()
    assert answer["header"]["isSuccessful"], answer
    return answer["body"]


def cancel(nhn, *targets, version: str = "v3.0"):
    body = {
        "reservationList": [{"requestId": rid, "recipientSeq": seq} for rid, seq in targets],
        "updateUser": "tester",
    }
    return nhn.call("PUT", "/reservations/cancel", body, version=version)


def test_a_reservation_is_held_then_sent_at_its_time(nhn, body):
    request_id, text = reserve(nhn, body)
    at = epoch(text)
    listed = reservations(nhn)
    assert listed["totalCount"] == 3
    first = listed["data"][0]
    assert (first["requestId"], first["recipientSeq"], first["messageStatus"]) == (
        request_id,
        1,
        "RESERVED",
    )
    assert first["requestDate"] == f"{text}:00.0" and first["body"] == "hello"
    assert [m["msgStatus"] for m in nhn.listed(request_id)] == ["1"] * 3
    assert nhn.listed(request_id)[0]["requestDate"] == f"{text}:00.0"
    nhn.advance_to(at + 5)
    sent = nhn.listed(request_id)
    assert [m["resultCode"] for m in sent] == [code_for(SEED, n) for n in NUMBERS]
    statuses = {m["messageStatus"] for m in reservations(nhn)["data"]}
    assert statuses <= {"COMPLETED", "FAILED"}
    stats = nhn.stats()
    assert (stats["reservations_accepted"], stats["requests_accepted"]) == (1, 1)


def test_get_one_reservation_on_both_versions(nhn, body):
    request_id, _ = reserve(nhn, body)
    for version in ("v3.0", "v2.4"):
        answer = nhn.call("GET", f"/reservations/{request_id}/2", version=version).json()
        one = answer["body"]["data"]
        assert (one["recipientNo"], one["messageStatus"], one["sendType"]) == (
            NUMBERS[1],
            "RESERVED",
            "0",
        )
    assert result_code(nhn.call("GET", f"/reservations/{request_id}/9")) == -2012
    plain = nhn.accepted(body("01012345678"))["requestId"]
    assert result_code(nhn.call("GET", f"/reservations/{plain}/1")) == -2008


def test_cancel_some_messages_before_their_time(nhn, body):
    request_id, text = reserve(nhn, body)
    answer = cancel(
        nhn, (request_id, 1), (request_id, 3), (request_id, 7), ("nope", 1), version="v2.4"
    )
    assert answer.json()["body"]["data"] == {"requestedCount": 4, "canceledCount": 2}
    again = cancel(nhn, (request_id, 1))
    assert again.json()["body"]["data"] == {"requestedCount": 1, "canceledCount": 0}
    by_status = reservations(nhn, messageStatus="CANCEL")
    assert [m["recipientSeq"] for m in by_status["data"]] == [1, 3]
    assert all(m["updateDate"] is not None for m in by_status["data"])
    nhn.advance_to(epoch(text) + 3600)
    middle = result_for(SEED, NUMBERS[1]).msg_status
    assert [m["msgStatus"] for m in nhn.listed(request_id)] == ["4", middle, "4"]
    assert nhn.listed(request_id)[0]["msgStatusName"] == "예약취소"
    stats = nhn.stats()
    assert (stats["reservations_canceled"], stats["messages_canceled"]) == (1, 2)


def test_cancel_after_the_send_time_cancels_nothing(nhn, body):
    request_id, text = reserve(nhn, body)
    nhn.advance_to(epoch(text) + 1)
    answer = cancel(nhn, (request_id, 1))
    assert answer.json()["body"]["data"] == {"requestedCount": 1, "canceledCount": 0}
    assert nhn.stats()["messages_canceled"] == 0


@pytest.mark.parametrize(
    "sent",
    [
        {},
        {"reservationList": [], "updateUser": "u"},
        {"reservationList": [{"requestId": "x"}], "updateUser": "u"},
        {"reservationList": [{"requestId": "x", "recipientSeq": 1}]},
    ],
)
def test_malformed_cancel_is_refused(nhn, sent):
    assert result_code(nhn.call("PUT", "/reservations/cancel", sent)) == 4


def test_reservation_filters(nhn, body):
    first, _ = reserve(nhn, body)
    second, _ = reserve(nhn, body, minutes=90, sendNo="0212345678")
    nhn.accepted(body("01012345678"))  # not a reservation
    assert reservations(nhn)["totalCount"] == 6
    assert {m["requestId"] for m in reservations(nhn, requestId=second)["data"]} == {second}
    assert reservations(nhn, sendNo="0212345678")["totalCount"] == 3
    assert reservations(nhn, recipientNo=NUMBERS[0])["totalCount"] == 2
    now = nhn.sim_now()
    soon = {"startRequestDate": kst(now), "endRequestDate": kst(now + 3600)}
    assert {m["requestId"] for m in reservations(nhn, **soon)["data"]} == {first}
    assert reservations(nhn, pageSize=4, pageNum=2)["data"][0]["requestId"] == second


def test_month_after_clamps_the_day():
    start = parse_query_date("2024-01-31 10:00:00")
    assert month_after(start) == parse_query_date("2024-02-29 10:00:00")
    assert month_after(parse_query_date("2024-12-15 00:00:00")) == parse_query_date(
        "2025-01-15 00:00:00"
    )
