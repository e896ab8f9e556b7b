"""GET /sender/sms|mms and /message-results: the window rules, filters and paging."""

import time

import pytest
from conftest import SEED, kst, result_code

from simulator.nhn.outcomes import code_for

HOUR = 3600
DAY = 24 * HOUR


def _t(offset: float) -> str:
    return kst(time.time() + offset)


LIST_VIOLATIONS = {
    "nothing given": ({}, -2011),
    "request start only": ({"startRequestDate": _t(-HOUR)}, -2011),
    "create end only": ({"endCreateDate": _t(0)}, -2011),
    "bad date format": (
        {"startRequestDate": "2024/01/01 00:00:00", "endRequestDate": _t(0)},
        -2000,
    ),
    "minutes only": ({"startCreateDate": _t(-HOUR)[:16], "endCreateDate": _t(0)}, -2000),
    "request window over a month": (
        {"startRequestDate": _t(-32 * DAY), "endRequestDate": _t(0)},
        -4000,
    ),
    "create window over a month": (
        {"startCreateDate": _t(-40 * DAY), "endCreateDate": _t(-2 * DAY)},
        -4000,
    ),
    "end before start": ({"startRequestDate": _t(0), "endRequestDate": _t(-HOUR)}, -1005),
    "older than 180 days": (
        {"startRequestDate": _t(-181 * DAY), "endRequestDate": _t(-170 * DAY)},
        -1005,
    ),
    "page size over 1000": ({"requestId": "x", "pageSize": 1001}, 4),
    "page number zero": ({"requestId": "x", "pageNum": 0}, 4),
}


@pytest.mark.parametrize("case", list(LIST_VIOLATIONS))
def test_list_window_rules(nhn, case):
    params, code = LIST_VIOLATIONS[case]
    answer = nhn.list(**params)
    assert answer.status_code == 200
    header = answer.json()["header"]
    assert (header["isSuccessful"], header["resultCode"]) == (False, code)
    stats = nhn.stats()
    assert stats["window_rejections"] == 1 and stats["responses"] == {"200": 1}


def test_a_month_window_and_unknown_request_id_are_fine(nhn):
    # No calendar month is shorter than 28 days.
    month = nhn.list(startRequestDate=_t(-28 * DAY), endRequestDate=_t(0))
    assert month.json()["header"]["isSuccessful"]
    answer = nhn.list(requestId="20200101000000unknownid00").json()
    assert answer["body"] == {"pageNum": 1, "pageSize": 15, "totalCount": 0, "data": []}


def test_paging(nhn, body):
    numbers = [f"0105555{i:04d}" for i in range(40)]
    request_id = nhn.accepted(body(*numbers))["requestId"]
    first = nhn.list(requestId=request_id).json()["body"]
    assert (first["pageNum"], first["pageSize"], first["totalCount"]) == (1, 15, 40)
    pages = [
        nhn.list(requestId=request_id, pageNum=n, pageSize=15).json()["body"] for n in (1, 2, 3)
    ]
    assert [len(p["data"]) for p in pages] == [15, 15, 10]
    assert [m["recipientNo"] for p in pages for m in p["data"]] == numbers
    assert [m["recipientSeq"] for p in pages for m in p["data"]] == list(range(1, 41))
    beyond = nhn.list(requestId=request_id, pageNum=9).json()["body"]
    assert (beyond["totalCount"], beyond["data"]) == (40, [])


def test_request_and_create_windows_and_filters(nhn, body):
    numbers = [f"010{i:08d}" for i in range(10, 40)]
    nhn.accepted(body(*numbers))
    nhn.accepted(body("01099998888", sendNo="0212345678", senderGroupingKey="g2"))
    window = {"startRequestDate": _t(-60), "endRequestDate": _t(60)}
    assert nhn.list(**window).json()["body"]["totalCount"] == 31
    created = {"startCreateDate": _t(-60), "endCreateDate": _t(60)}
    both = nhn.list(**created, startRequestDate=_t(-3 * HOUR), endRequestDate=_t(-2 * HOUR))
    assert both.json()["body"]["totalCount"] == 31  # the request window is ignored
    assert (
        nhn.list(startRequestDate=_t(-3 * HOUR), endRequestDate=_t(-HOUR)).json()["body"][
            "totalCount"
        ]
        == 0
    )

    def total(**filters):
        return nhn.list(**window, **filters, pageSize=1000).json()["body"]["totalCount"]

    assert total(sendNo="0212345678") == 1 and total(senderGroupingKey="g2") == 1
    assert total(recipientNo=numbers[3]) == 1
    time.sleep(0.4)
    successes = sum(code_for(SEED, n) == "1000" for n in numbers) + (
        code_for(SEED, "01099998888") == "1000"
    )
    assert total(msgStatus="3") == successes and total(resultCode="MTR1") == successes
    assert total(msgStatus="0") == total(resultCode="MTR2") == 31 - successes
    assert total(resultCode="3001") == sum(code_for(SEED, n) == "3001" for n in numbers)
    assert total(receiverRegion="DOMESTIC") == 31 and total(countryCode="1") == 0
    results = {"startResultDate": _t(-60), "endResultDate": _t(60)}
    assert total(**results) == 31
    assert total(startResultDate=_t(-3 * HOUR), endResultDate=_t(-2 * HOUR)) == 0


UPDATE_VIOLATIONS = {
    "nothing given": ({}, -1005),
    "start only": ({"startUpdateDate": _t(-HOUR)}, -1005),
    "over one day": ({"startUpdateDate": _t(-25 * HOUR), "endUpdateDate": _t(0)}, -1005),
    "bad format": ({"startUpdateDate": "yesterday", "endUpdateDate": _t(0)}, -2000),
    "older than 180 days": (
        {"startUpdateDate": _t(-200 * DAY), "endUpdateDate": _t(-199.5 * DAY)},
        -1005,
    ),
    "unknown messageType": (
        {"startUpdateDate": _t(-HOUR), "endUpdateDate": _t(0), "messageType": "FAX"},
        -1006,
    ),
}


@pytest.mark.parametrize("case", list(UPDATE_VIOLATIONS))
def test_message_results_window_rules(nhn, case):
    params, code = UPDATE_VIOLATIONS[case]
    answer = nhn.call("GET", "/message-results", params=params)
    assert result_code(answer) == code
    assert nhn.stats()["window_rejections"] == 1


def test_message_results_lists_what_was_updated_in_the_window(nhn, body):
    short = nhn.accepted(body("01012340001", "01012340002"))["requestId"]
    long = nhn.accepted(body("01012340003", title="t"), "mms")["requestId"]
    nhn.faults(complete_delay=600.0)
    nhn.accepted(body("01012340004"))  # not done within the window
    window = {"startUpdateDate": _t(-60), "endUpdateDate": _t(120)}
    time.sleep(0.2)
    nhn.advance(3)  # everything of 0.2 s delay is done and updated
    answer = nhn.call("GET", "/message-results", params=window).json()
    assert answer["header"]["isSuccessful"]
    found = answer["body"]
    assert found["totalCount"] == 3 and isinstance(found["data"], list)
    assert {(m["requestId"], m["recipientSeq"]) for m in found["data"]} == {
        (short, 1),
        (short, 2),
        (long, 1),
    }
    for item in found["data"]:
        assert item["requestDate"] <= item["resultDate"] <= item["updateDate"]
        assert item["resultCode"] in {
            "1000",
            "1001",
            "2000",
            "2003",
            "2005",
            "3001",
            "3003",
            "3012",
        }
    only_lms = nhn.call("GET", "/message-results", params={**window, "messageType": "LMS"})
    assert [m["requestId"] for m in only_lms.json()["body"]["data"]] == [long]
    paged = nhn.call("GET", "/message-results", params={**window, "pageSize": 2, "pageNum": 2})
    assert (paged.json()["body"]["totalCount"], len(paged.json()["body"]["data"])) == (3, 1)
    past = {"startUpdateDate": _t(-3 * HOUR), "endUpdateDate": _t(-2 * HOUR)}
    assert nhn.call("GET", "/message-results", params=past).json()["body"]["totalCount"] == 0
