"""POST /sender/{sms,mms}: the answer, each validation code, per-recipient refusals, counters."""

import re

import pytest
from conftest import SENDER, kst, result_code


def test_accepted_send_answers_as_the_guide_shows(nhn, body):
    sent = body("01012345678", "01087654321", senderGroupingKey="campaign-7")
    sent["recipientList"][1]["recipientGroupingKey"] = "row-2"
    answer = nhn.send(sent)
    assert answer.status_code == 200
    assert answer.json()["header"] == {
        "isSuccessful": True,
        "resultCode": 0,
        "resultMessage": "SUCCESS",
    }
    data = answer.json()["body"]["data"]
    assert re.fullmatch(r"\d{14}[A-Za-z0-9]{11}", data["requestId"])
    assert data["requestId"][:12] == kst(nhn.sim_now(), "%Y%m%d%H%M")
    assert (data["statusCode"], data["senderGroupingKey"]) == ("2", "campaign-7")
    assert data["sendResultList"] == [
        {
            "recipientNo": "01012345678",
            "resultCode": 0,
            "resultMessage": "SUCCESS",
            "recipientSeq": 1,
            "recipientGroupingKey": None,
        },
        {
            "recipientNo": "01087654321",
            "resultCode": 0,
            "resultMessage": "SUCCESS",
            "recipientSeq": 2,
            "recipientGroupingKey": "row-2",
        },
    ]
    stats = nhn.stats()
    assert (stats["requests_accepted"], stats["messages_accepted"]) == (1, 2)


def _without(key):
    return lambda b: {k: v for k, v in b("01012345678").items() if k != key}


def _recipients(*entries, text="hello"):
    return lambda b: {**b("01012345678", body=text), "recipientList": list(entries)}


REFUSALS = {
    "no recipientList": (_without("recipientList"), "sms", -2001),
    "empty recipientList": (lambda b: b(), "sms", -2001),
    "1001 recipients": (lambda b: b(*[f"010{i:08d}" for i in range(1001)]), "sms", -2016),
    "no sendNo": (_without("sendNo"), "sms", -2312),
    "sendNo too short": (lambda b: b("01012345678", sendNo="1234"), "sms", -2312),
    "sendNo with hyphens": (lambda b: b("01012345678", sendNo="02-123-4567"), "sms", -2312),
    "no body": (_without("body"), "sms", -2014),
    "empty body": (lambda b: b("01012345678", body=""), "sms", -2014),
    "mms without title": (lambda b: b("01012345678"), "mms", -2014),
    "sms body 91 bytes": (lambda b: b("01012345678", body="가" * 45 + "a"), "sms", -2015),
    "mms body 2001 bytes": (
        lambda b: b("01012345678", body="가" * 1000 + "a", title="t"),
        "mms",
        -2015,
    ),
    "mms title 41 bytes": (lambda b: b("01012345678", title="제" * 20 + "a"), "mms", -2015),
    "rendered body over 90 bytes": (
        _recipients(
            {"recipientNo": "01012345678", "templateParameter": {"x": "가" * 50}}, text="##x##"
        ),
        "sms",
        -2015,
    ),
    "emoji in body": (lambda b: b("01012345678", body="hi 😀"), "sms", -2023),
    "emoji in title": (lambda b: b("01012345678", title="😀"), "mms", -2023),
    "no recipientNo": (_recipients({"recipientGroupingKey": "x"}), "sms", -2018),
    "lms abroad": (
        lambda b: {
            **b(title="t"),
            "recipientList": [{"recipientNo": "4155550123", "countryCode": "1"}],
        },
        "mms",
        -2024,
    ),
    "bad requestDate": (lambda b: b("01012345678", requestDate="2030-01-01T10:00"), "sms", -2000),
    "requestDate with seconds": (
        lambda b: b("01012345678", requestDate="2030-01-01 10:00:00"),
        "sms",
        -2000,
    ),
    "past requestDate": (lambda b: b("01012345678", requestDate="2020-01-01 10:00"), "sms", -2022),
    "requestDate over 60 days": (
        lambda b: b("01012345678", requestDate="2099-01-01 10:00"),
        "sms",
        4,
    ),
    "templateParameter not an object": (
        _recipients({"recipientNo": "01012345678", "templateParameter": "x"}),
        "sms",
        4,
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refused_send_answers_its_code(nhn, body, case):
    build, path, code = REFUSALS[case]
    answer = nhn.send(build(body), path)
    assert answer.status_code == 200
    header = answer.json()["header"]
    assert (header["isSuccessful"], header["resultCode"]) == (False, code)
    assert header["resultMessage"]
    stats = nhn.stats()
    assert (stats["requests_accepted"], stats["messages_accepted"]) == (0, 0)


def test_registered_senders_can_be_configured():
    from simulator.config import default_config
    from simulator.server import start_in_thread

    config = default_config("nhn", port=0, registered_senders=("0212345678",))
    with start_in_thread(config) as sim:
        url = f"{sim.base_url}/sms/v3.0/appKeys/sim-app-key/sender/sms"
        import requests

        def send(send_no):
            sent = {
                "body": "hi",
                "sendNo": send_no,
                "recipientList": [{"recipientNo": "01012345678"}],
            }
            return requests.post(
                url, json=sent, headers={"X-Secret-Key": "sim-secret-key"}, timeout=5
            )

        assert send("0212345678").json()["header"]["isSuccessful"]
        assert send(SENDER).json()["header"]["resultCode"] == -2312


INVALID_NUMBERS = ["0101234567890", "0212345678", "010-1234-5678", "01012", "abc", "0301234567"]


def test_invalid_numbers_are_refused_one_by_one(nhn, body):
    data = nhn.accepted(body("01012345678", *INVALID_NUMBERS, "0111234567"))
    codes = [(r["recipientNo"], r["resultCode"]) for r in data["sendResultList"]]
    expected = [(n, -2019) for n in INVALID_NUMBERS]
    assert codes == [("01012345678", 0), *expected, ("0111234567", 0)]
    assert {r["resultMessage"] for r in data["sendResultList"][1:-1]} == {"RecipientNo is invalid."}
    assert [r["recipientSeq"] for r in data["sendResultList"]] == list(range(1, 9))
    listed = nhn.listed(data["requestId"])
    assert [(m["recipientNo"], m["recipientSeq"]) for m in listed] == [
        ("01012345678", 1),
        ("0111234567", 8),
    ]
    stats = nhn.stats()
    assert (stats["messages_accepted"], stats["refused_recipients"]) == (2, 6)
    assert set(stats["sent_to"]) == {"01012345678", "0111234567"}


def test_a_request_whose_every_recipient_is_refused_still_succeeds(nhn, body):
    data = nhn.accepted(body("0101", "0102"))
    assert [r["resultCode"] for r in data["sendResultList"]] == [-2019, -2019]
    assert nhn.listed(data["requestId"]) == []
    stats = nhn.stats()
    assert (stats["requests_accepted"], stats["messages_accepted"]) == (1, 0)


def test_template_parameters_fill_body_and_title(nhn, body):
    sent = body(body="##name##님, ##code##", title="##name## 안내")
    sent["recipientList"] = [
        {"recipientNo": "01011112222", "templateParameter": {"name": "김", "code": 7}},
        {"recipientNo": "01033334444", "templateParameter": {"name": "이"}},
        {"recipientNo": "01055556666"},
    ]
    request_id = nhn.accepted(sent, "mms")["requestId"]
    listed = nhn.listed(request_id, "mms")
    assert [(m["title"], m["body"]) for m in listed] == [
        ("김 안내", "김님, 7"),
        ("이 안내", "이님, ##code##"),
        ("##name## 안내", "##name##님, ##code##"),
    ]
    assert [m["messageType"] for m in listed] == ["LMS"] * 3
    assert {m["sendType"] for m in listed} == {"1"}


def test_international_recipients(nhn, body):
    sent = body()
    sent["recipientList"] = [
        {"internationalRecipientNo": "821012345678"},
        {"recipientNo": "4155550123", "countryCode": "1"},
        {"internationalRecipientNo": "14155550199"},
    ]
    data = nhn.accepted(sent)
    assert [r["recipientNo"] for r in data["sendResultList"]] == [
        "01012345678",
        "4155550123",
        "4155550199",
    ]
    listed = nhn.listed(data["requestId"])
    assert [m["countryCode"] for m in listed] == ["82", "1", "1"]


def test_short_and_long_lists_are_apart(nhn, body):
    short = nhn.accepted(body("01012345678"))["requestId"]
    long = nhn.accepted(body("01012345678", title="t"), "mms")["requestId"]
    assert nhn.listed(long) == [] and len(nhn.listed(long, "mms")) == 1
    assert nhn.listed(short, "mms") == [] and len(nhn.listed(short)) == 1


def test_same_message_twice_counts_as_duplicates(nhn, body):
    nhn.accepted(body("01012345678", "01087654321", body="같은 내용"))
    nhn.accepted(body("01012345678", "01087654321", body="같은 내용"))
    nhn.accepted(body("01012345678", body="다른 내용"))
    sent = body(body="##n##")
    sent["recipientList"] = [
        {"recipientNo": "01099990000", "templateParameter": {"n": "a"}},
        {"recipientNo": "01099990000", "templateParameter": {"n": "b"}},
    ]
    nhn.accepted(sent)
    stats = nhn.stats()
    assert (stats["requests_accepted"], stats["messages_accepted"]) == (4, 7)
    assert stats["duplicate_messages"] == 2
    assert stats["duplicates"] == [
        {"from": SENDER, "to": "01012345678", "content": "같은 내용", "count": 2},
        {"from": SENDER, "to": "01087654321", "content": "같은 내용", "count": 2},
    ]
    assert stats["sent_to"] == {"01012345678": 3, "01087654321": 2, "01099990000": 2}
    assert stats["responses"] == {"200": 4}


def test_get_one_message(nhn, body):
    request_id = nhn.accepted(body("01012345678", "01087654321"))["requestId"]
    answer = nhn.call("GET", f"/sender/sms/{request_id}", params={"recipientSeq": 2})
    one = answer.json()["body"]["data"]
    assert (one["requestId"], one["recipientSeq"], one["recipientNo"]) == (
        request_id,
        2,
        "01087654321",
    )
    assert "originCode" in one
    unknown = nhn.call("GET", "/sender/sms/20200101000000unknownid00", params={"recipientSeq": 1})
    assert result_code(unknown) == -2008
    wrong_kind = nhn.call("GET", f"/sender/mms/{request_id}", params={"recipientSeq": 1})
    assert result_code(wrong_kind) == -2008
    for seq in ("3", "0", "x"):
        answer = nhn.call("GET", f"/sender/sms/{request_id}", params={"recipientSeq": seq})
        assert result_code(answer) == -2012
    assert result_code(nhn.call("GET", f"/sender/sms/{request_id}")) == -2012
