"""POST .../messages: acceptance, asynchronous completion, validation errors, duplicates."""

import time

import pytest

from simulator.outcomes import code_for
from worker.domain.codes import catalogue

SEED = 42
NUMBERS = [f"010{i:08d}" for i in range(10, 40)]  # holds codes 0, 1001, 2005 and 3001


def test_valid_send_is_accepted(sens, sms_body):
    answer = sens.send(sms_body("01012345678"))
    assert answer.status_code == 202
    body = answer.json()
    assert body["statusCode"] == "202" and body["statusName"] == "success"
    assert body["requestId"].startswith("RSSA-")
    assert len(body["requestTime"]) == len("2024-01-01T00:00:00.000") and "T" in body["requestTime"]


def test_messages_complete_with_the_predicted_codes(sens, sms_body):
    request_id = sens.send(sms_body(*NUMBERS)).json()["requestId"]
    early = sens.list(requestId=request_id).json()
    assert {m["status"] for m in early["messages"]} <= {"READY", "PROCESSING"}
    assert all(m["statusCode"] is None and m["completeTime"] is None for m in early["messages"])
    time.sleep(0.45)
    listed = sens.list(requestId=request_id).json()["messages"]
    assert [m["to"] for m in listed] == NUMBERS
    assert [m["statusCode"] for m in listed] == [code_for(SEED, n) for n in NUMBERS]
    assert {m["status"] for m in listed} == {"COMPLETED"}
    for message in listed:
        code = message["statusCode"]
        assert message["statusName"] == ("success" if code == "0" else "fail")
        assert message["statusMessage"] == catalogue("sens")[code].title
        assert message["telcoCode"] in {"SKT", "KT", "LGU"}
        assert message["requestId"] == request_id and message["campaignId"] is None
    assert {m["statusCode"] for m in listed} == {"0", "1001", "2005", "3001"}


def test_lowercase_type_and_mms_without_files(sens, sms_body):
    assert sens.send(sms_body("01012345678", type="sms")).status_code == 202
    answer = sens.send(sms_body("01012345679", type="mms", subject="hi"))
    assert answer.status_code == 202
    listed = sens.list(requestId=answer.json()["requestId"]).json()["messages"]
    assert listed[0]["type"] == "LMS"  # seed 003: MMS without a file is sent as LMS


def _many(sms_body):
    return sms_body(*[f"010{i:08d}" for i in range(101)])


REJECTIONS = {
    "too many messages": (
        lambda b: _many(b),
        "messages has 101 entries; at most 100 allowed",
    ),
    "sms default content 91 bytes": (
        lambda b: b("01012345678", content="가" * 45 + "a"),
        "content is 91 bytes in EUC-KR; SMS allows 90",
    ),
    "sms message content 91 bytes": (
        lambda b: {**b("01012345678"), "messages": [{"to": "01012345678", "content": "나" * 46}]},
        "messages[0].content is 92 bytes in EUC-KR; SMS allows 90",
    ),
    "lms 2001 bytes": (
        lambda b: b("01012345678", type="LMS", content="가" * 1000 + "a"),
        "content is 2001 bytes in EUC-KR; LMS allows 2000",
    ),
    "subject 41 bytes": (
        lambda b: b("01012345678", type="LMS", subject="제" * 20 + "a"),
        "subject is 41 bytes in EUC-KR; at most 40 allowed",
    ),
    "emoji": (
        lambda b: b("01012345678", content="hi 😀"),
        "content: character '😀' at position 3 cannot be encoded in EUC-KR",
    ),
    "unknown type": (
        lambda b: b("01012345678", type="XMS"),
        "type 'XMS' is unknown; expected one of SMS, LMS, MMS",
    ),
    "unknown contentType": (
        lambda b: b("01012345678", contentType="PROMO"),
        "contentType 'PROMO' is unknown; expected one of COMM, AD",
    ),
    "non-digit to": (
        lambda b: {**b("01012345678"), "messages": [{"to": "01012345678"}, {"to": "010-1-2"}]},
        "messages[1].to '010-1-2' must contain digits only (no '-' or '+')",
    ),
    "missing from": (
        lambda b: {k: v for k, v in b("01012345678").items() if k != "from"},
        "from is required",
    ),
    "missing messages": (
        lambda b: {k: v for k, v in b("01012345678").items() if k != "messages"},
        "messages is required",
    ),
    "empty messages": (lambda b: b(), "messages must be a non-empty list"),
}


@pytest.mark.parametrize("case", list(REJECTIONS))
def test_invalid_send_is_rejected(sens, sms_body, case):
    build, message = REJECTIONS[case]
    answer = sens.send(build(sms_body))
    assert answer.status_code == 400
    assert answer.json() == {"statusCode": "400", "statusName": "fail", "errorMessage": message}
    stats = sens.stats()
    assert stats["requests_accepted"] == 0 and stats["messages_accepted"] == 0
    assert stats["responses"] == {"400": 1}


def test_invalid_json_is_rejected(sens):
    answer = sens.call("POST", sens.uri("/messages"), data=b"{not json")
    assert answer.status_code == 400
    assert answer.json()["errorMessage"].startswith("body is not valid JSON")


def test_same_message_twice_counts_as_duplicates(sens, sms_body):
    body = sms_body("01012345678", "01087654321", content="같은 내용")
    sens.send(body)
    sens.send(body)
    sens.send(sms_body("01012345678", content="other"))
    stats = sens.stats()
    assert stats["requests_accepted"] == 3
    assert stats["messages_accepted"] == 5
    assert stats["duplicate_messages"] == 2
    assert stats["duplicates"] == [
        {"from": "0212345678", "to": "01012345678", "content": "같은 내용", "count": 2},
        {"from": "0212345678", "to": "01087654321", "content": "같은 내용", "count": 2},
    ]
    assert stats["sent_to"] == {"01012345678": 3, "01087654321": 2}
    assert stats["responses"] == {"202": 3}


def test_get_one_message(sens, sms_body):
    body = sms_body("01012345678", type="LMS", subject="제목", content="기본")
    body["messages"].append({"to": "01011112222", "content": "개별", "subject": "따로"})
    request_id = sens.send(body).json()["requestId"]
    listed = sens.list(requestId=request_id).json()["messages"]
    time.sleep(0.35)
    answer = sens.get(listed[1]["messageId"])
    assert answer.status_code == 200
    body = answer.json()
    assert body["statusCode"] == "200" and body["statusName"] == "success"
    (message,) = body["messages"]
    assert message["messageId"] == listed[1]["messageId"]
    assert (message["subject"], message["content"], message["to"]) == (
        "따로",
        "개별",
        "01011112222",
    )
    assert message["type"] == "LMS" and message["files"] == [] and message["status"] == "COMPLETED"
    assert message["statusCode"] == code_for(SEED, "01011112222")
    first = sens.get(listed[0]["messageId"]).json()["messages"][0]
    assert (first["subject"], first["content"]) == ("제목", "기본")


def test_unknown_message_id_is_404_empty(sens):
    answer = sens.get("00000000-0000-0000-0000-000000000000")
    assert answer.status_code == 404 and answer.content == b""
