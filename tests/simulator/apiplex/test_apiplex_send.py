"""POST /{gms-kg|gms-gk}/v2/send: validation (each 400), the accepted answer, the counters."""

import uuid

import pytest
from apiplex_support import SENDER

NUMBER = "+447700900123"
PENDING = {
    "groupId": 1,
    "groupName": "PENDING",
    "id": 26,
    "name": "PENDING_ACCEPTED",
    "description": "Accepting in standby",
}


def test_accepted_answer_shape(apiplex, body):
    numbers = ["+447700900123", "+14155550123", "+8613800138000"]
    answer = apiplex.accepted(body(*numbers, echo_to_webhook="campaign-7"))
    assert set(answer) == {"code", "requestId", "messages"}
    assert answer["code"] == "0"
    uuid.UUID(answer["requestId"])
    assert [m["to"] for m in answer["messages"]] == numbers
    for message in answer["messages"]:
        assert set(message) == {"messageId", "to", "status"}
        assert message["status"] == PENDING
    ids = [m["messageId"] for m in answer["messages"]] + [answer["requestId"]]
    again = apiplex.accepted(body(*numbers))
    ids += [m["messageId"] for m in again["messages"]] + [again["requestId"]]
    assert len(set(ids)) == len(ids) == 8


def _refused(apiplex, sent, code: str, words: str, route: str = "gms-kg") -> None:
    answer = apiplex.send(sent, route)
    assert answer.status_code == 400, answer.text
    assert set(answer.json()) == {"code", "message"}
    assert answer.json()["code"] == code, answer.json()
    assert words in answer.json()["message"]
    stats = apiplex.stats()
    assert (stats["requests_accepted"], stats["messages_accepted"]) == (0, 0)


@pytest.mark.parametrize(
    "to",
    ["447700900123", "+0447700900123", "+1234567", "+1234567890123456", "+44 7700 900123",
     "+44-7700900123", "+４４7700900123", "", None, 447700900123],
)  # fmt: skip
def test_a_destination_not_e164_refuses_the_whole_request(apiplex, body, to):
    sent = body(NUMBER, "+14155550123")
    sent["destinations"][1] = {"to": to}
    _refused(apiplex, sent, "351", "destinations[1].to")


def test_e164_bounds(apiplex, body):
    assert apiplex.send(body("+12345678")).status_code == 200  # 8 digits
    assert apiplex.send(body("+123456789012345")).status_code == 200  # 15 digits


def test_destination_without_to_is_refused(apiplex, body):
    sent = body(NUMBER)
    sent["destinations"].append({"number": "+14155550123"})
    _refused(apiplex, sent, "351", "destinations[1].to")


def test_gms_kg_refuses_a_korean_destination(apiplex, body):
    _refused(apiplex, body(NUMBER, "+821012345678"), "352", "gms-kg sends abroad", "gms-kg")


def test_gms_gk_refuses_a_foreign_destination(apiplex, body):
    sent = body("+821012345678", NUMBER)
    _refused(apiplex, sent, "352", "gms-gk sends in Korea", "gms-gk")


@pytest.mark.parametrize("sender", ["", "abc", "12", "+", "02-1234-5678", "1" * 16, None, 212])
def test_bad_sender_is_refused(apiplex, body, sender):
    _refused(apiplex, body(NUMBER, **{"from": sender}), "368", "from")


def test_missing_sender_is_refused(apiplex, body):
    sent = body(NUMBER)
    del sent["from"]
    _refused(apiplex, sent, "368", "from")


def test_senders_digits_or_e164_are_taken(apiplex, body):
    for sender in ("0212345678", "15446859", "+821012345678", "123"):
        assert apiplex.send(body(NUMBER, **{"from": sender})).status_code == 200


@pytest.mark.parametrize("text", ["", None, 5, ["hi"]])
def test_empty_or_missing_text_is_refused(apiplex, body, text):
    _refused(apiplex, body(NUMBER, text=text), "400", "text")


def test_no_destinations_is_refused(apiplex, body):
    _refused(apiplex, body(), "400", "destinations")
    _refused(apiplex, {"from": SENDER, "text": "hi"}, "400", "destinations")
    _refused(apiplex, {"from": SENDER, "text": "hi", "destinations": {}}, "400", "destinations")
    _refused(apiplex, body(NUMBER, destinations=["+447700900123"]), "400", "destinations[0]")


def test_at_most_1000_destinations(apiplex, body):
    numbers = [f"+4477009{i:05d}" for i in range(1001)]
    _refused(apiplex, body(*numbers), "400", "at most 1000")
    answer = apiplex.accepted(body(*numbers[:1000]))
    assert len(answer["messages"]) == 1000
    assert apiplex.stats()["messages_accepted"] == 1000


def test_echo_to_webhook_at_most_200_characters(apiplex, body):
    _refused(apiplex, body(NUMBER, echo_to_webhook="x" * 201), "400", "echo_to_webhook")
    _refused(apiplex, body(NUMBER, echo_to_webhook=7), "400", "echo_to_webhook")
    assert apiplex.send(body(NUMBER, echo_to_webhook="x" * 200)).status_code == 200
    assert apiplex.send(body(NUMBER, echo_to_webhook=None)).status_code == 200


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b"\xff\xfe", b'"text"'])
def test_body_must_be_a_json_object(apiplex, raw):
    answer = apiplex.http.post(
        f"{apiplex.base_url}/gms-kg/v2/send",
        data=raw,
        headers={"Authorization": apiplex.api_key, "Content-Type": "application/json"},
        timeout=10,
    )
    assert answer.status_code == 400 and answer.json()["code"] == "400"


def test_stats_count_requests_messages_and_duplicates(apiplex, body):
    apiplex.accepted(body(NUMBER, "+14155550123", text="hello"))
    apiplex.accepted(body(NUMBER, text="hello"))  # the same message again: a duplicate
    apiplex.accepted(body(NUMBER, text="other"))  # same number, other text: not a duplicate
    apiplex.send(body("bad"))
    stats = apiplex.stats()
    assert (stats["requests_accepted"], stats["messages_accepted"]) == (3, 4)
    assert stats["sent_to"] == {"447700900123": 3, "14155550123": 1}
    assert stats["duplicate_messages"] == 1
    assert stats["duplicates"] == [
        {"from": SENDER, "to": "447700900123", "content": "hello", "count": 2}
    ]
    assert stats["responses"] == {"200": 3, "400": 1}
    assert len(stats["accepted_times"]) == 3


def test_health_and_reset(apiplex, body):
    assert apiplex.control("GET", "/_sim/health").json() == {"ok": True}
    apiplex.accepted(body(NUMBER))
    assert apiplex.control("POST", "/_sim/reset").json() == {"ok": True}
    stats = apiplex.stats()
    assert (stats["requests_accepted"], stats["sent_to"], stats["webhook_attempts"]) == (0, {}, 0)


def test_each_destination_may_carry_its_own_text_when_the_request_has_none(apiplex) -> None:
    own = [{"to": NUMBER, "text": "Hi Ann"}, {"to": "+14155550123", "text": "Hi Bob"}]
    _refused(apiplex, {"from": SENDER, "destinations": [own[0], {"to": "+14155550124"}]},
             "400", "destinations[1].text")  # fmt: skip
    apiplex.accepted({"from": SENDER, "destinations": own})
    assert apiplex.stats()["messages_accepted"] == 2
