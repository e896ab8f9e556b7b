"""GET .../messages: window rules, filters, paging, complete-time windows."""

import time

import pytest

from simulator.sens.times import format_time

HOUR = 3600
DAY = 24 * HOUR


def _t(offset: float) -> str:
    return format_time(time.time() + offset)


VIOLATIONS = {
    "nothing given": (
        {},
        "one of requestId, requestStartTime+requestEndTime"
        " or completeStartTime+completeEndTime is required",
    ),
    "both windows": (
        {
            "requestStartTime": _t(-HOUR),
            "requestEndTime": _t(0),
            "completeStartTime": _t(-HOUR),
            "completeEndTime": _t(0),
        },
        "request and complete time windows cannot be used together",
    ),
    "request start only": (
        {"requestStartTime": _t(-HOUR)},
        "requestStartTime is given without requestEndTime",
    ),
    "complete end only": (
        {"completeEndTime": _t(0)},
        "completeEndTime is given without completeStartTime",
    ),
    "end before start": (
        {"requestStartTime": _t(0), "requestEndTime": _t(-HOUR)},
        "requestEndTime is before requestStartTime",
    ),
    "request window over 30 days": (
        {"requestStartTime": _t(-31 * DAY), "requestEndTime": _t(0)},
        "requestStartTime to requestEndTime spans more than 30 days",
    ),
    "complete window over 24 hours": (
        {"completeStartTime": _t(-25 * HOUR), "completeEndTime": _t(0)},
        "completeStartTime to completeEndTime spans more than 24 hours",
    ),
    "older than 90 days": (
        {"requestStartTime": _t(-91 * DAY), "requestEndTime": _t(-90.5 * DAY)},
        "requestStartTime is more than 90 days ago; history is kept 90 days",
    ),
    "bad time format": (
        {"requestStartTime": "2024/01/01 00:00:00", "requestEndTime": _t(0)},
        "requestStartTime '2024/01/01 00:00:00' is not yyyy-MM-dd HH:mm:ss",
    ),
    "page size over 100": (
        {"requestStartTime": _t(-HOUR), "requestEndTime": _t(0), "pageSize": "101"},
        "pageSize '101' must be an integer from 1 to 100",
    ),
    "page size over 1000 with requestId": (
        {"requestId": "RSSA-1", "pageSize": "1001"},
        "pageSize '1001' must be an integer from 1 to 1000",
    ),
    "page size zero": (
        {"requestId": "RSSA-1", "pageSize": "0"},
        "pageSize '0' must be an integer from 1 to 1000",
    ),
}


@pytest.mark.parametrize("case", list(VIOLATIONS))
def test_window_rule_violation_is_400(sens, case):
    params, message = VIOLATIONS[case]
    answer = sens.list(**params)
    assert answer.status_code == 400
    assert answer.json() == {"statusCode": "400", "statusName": "fail", "errorMessage": message}
    stats = sens.stats()
    assert stats["window_rejections"] == 1 and stats["list_queries"] == 1
    assert stats["responses"] == {"400": 1}


def test_unknown_request_id_is_404_empty(sens):
    answer = sens.list(requestId="RSSA-0-0000-unknown")
    assert answer.status_code == 404 and answer.content == b""


def test_paging_by_request_id(sens, sms_body):
    numbers = [f"0105555000{i}" for i in range(5)]
    request_id = sens.send(sms_body(*numbers)).json()["requestId"]
    pages = [sens.list(requestId=request_id, pageSize=2, pageIndex=i).json() for i in range(3)]
    assert [p["itemCount"] for p in pages] == [2, 2, 1]
    assert [p["hasMore"] for p in pages] == [True, True, False]
    assert [(p["pageIndex"], p["pageSize"]) for p in pages] == [(0, 2), (1, 2), (2, 2)]
    assert [m["to"] for p in pages for m in p["messages"]] == numbers
    assert pages[0]["statusCode"] == "202" and pages[0]["statusName"] == "success"
    default = sens.list(requestId=request_id).json()
    assert (default["pageSize"], default["itemCount"], default["hasMore"]) == (1000, 5, False)


def test_request_window_default_page_size_and_filters(sens, sms_body):
    sens.send(sms_body("01011110000", "01022220000"))
    sens.send(sms_body("01033330000", contentType="AD"))
    window = {"requestStartTime": _t(-60), "requestEndTime": _t(60)}
    listed = sens.list(**window).json()
    assert listed["pageSize"] == 20
    assert [m["to"] for m in listed["messages"]] == ["01011110000", "01022220000", "01033330000"]
    only_ad = sens.list(**window, contentType="AD").json()["messages"]
    assert [m["to"] for m in only_ad] == ["01033330000"]
    only_to = sens.list(**window, to="01022220000").json()["messages"]
    assert [m["to"] for m in only_to] == ["01022220000"]
    past = {"requestStartTime": _t(-2 * HOUR), "requestEndTime": _t(-HOUR)}
    assert sens.list(**past).json()["itemCount"] == 0


def test_complete_window_returns_only_completed(sens, sms_body):
    done_id = sens.send(sms_body("01012340001", "01012340002")).json()["requestId"]
    time.sleep(0.35)
    sens.faults(complete_delay=600.0)
    slow_id = sens.send(sms_body("01012340003")).json()["requestId"]
    window = {"completeStartTime": _t(-HOUR), "completeEndTime": _t(HOUR)}
    listed = sens.list(**window).json()["messages"]
    assert [m["to"] for m in listed] == ["01012340001", "01012340002"]
    assert {(m["requestId"], m["status"]) for m in listed} == {(done_id, "COMPLETED")}
    assert all(m["completeTime"] is not None for m in listed)
    by_request = sens.list(requestStartTime=_t(-60), requestEndTime=_t(60)).json()["messages"]
    assert [m["requestId"] for m in by_request] == [done_id, done_id, slow_id]
    statuses = sens.list(requestId=slow_id, status="PROCESSING").json()["messages"]
    statuses += sens.list(requestId=slow_id, status="READY").json()["messages"]
    assert [m["to"] for m in statuses] == ["01012340003"]
    past = {"completeStartTime": _t(-3 * HOUR), "completeEndTime": _t(-2 * HOUR)}
    assert sens.list(**past).json()["messages"] == []


def test_a_transient_number_succeeds_when_sent_again_with_recover_after(sens, sms_body):
    from simulator.outcomes import code_for

    sens.faults(recover_after=1)
    number = next(f"0104{i:07d}" for i in range(10_000) if code_for(42, f"0104{i:07d}") == "2003")
    first = sens.send(sms_body(number)).json()["requestId"]
    second = sens.send(sms_body(number)).json()["requestId"]
    time.sleep(0.5)
    codes = [
        sens.list(requestId=rid).json()["messages"][0]["statusCode"] for rid in (first, second)
    ]
    assert codes == ["2003", "0"]


def test_builder_windows_are_accepted_and_see_each_message_once(sens, sms_body):
    from datetime import UTC, datetime, timedelta

    from worker.domain.windows import complete_windows, request_windows

    sens.send(sms_body("01012340001", "01012340002"))
    time.sleep(0.35)
    now = datetime.now(UTC)
    sent = 0
    for build, span in ((request_windows, 200), (complete_windows, 3)):
        queries = build(now - timedelta(days=span), now + timedelta(hours=1), now)
        answers = [sens.list(**q.params()) for q in queries]
        sent += len(answers)
        assert {a.status_code for a in answers} == {200}
        seen = [m["to"] for a in answers for m in a.json()["messages"]]
        assert sorted(seen) == ["01012340001", "01012340002"]
    stats = sens.stats()
    assert stats["window_rejections"] == 0 and stats["list_queries"] == sent
