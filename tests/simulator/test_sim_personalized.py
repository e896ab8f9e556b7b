"""Personalized sends (every message its own content): get-one answers and duplicate counts."""

from simulator.core.packed import CACHED_BLOBS
from simulator.footprint import sens_body


def _message_ids(sens, request_id):
    listed = sens.list(requestId=request_id).json()["messages"]
    return [m["messageId"] for m in listed], [m["to"] for m in listed]


def _detail(sens, message_id):
    answer = sens.get(message_id)
    assert answer.status_code == 200, answer.text
    (message,) = answer.json()["messages"]
    return message


def test_each_personalized_content_comes_back_exactly(sens):
    sent = sens_body(5, 100)
    assert len({m["content"] for m in sent["messages"]}) == 100
    request_id = sens.send(sent).json()["requestId"]
    message_ids, numbers = _message_ids(sens, request_id)
    assert numbers == [m["to"] for m in sent["messages"]]
    for message_id, expected in zip(message_ids, sent["messages"], strict=True):
        message = _detail(sens, message_id)
        assert (message["to"], message["content"]) == (expected["to"], expected["content"])
        assert message["subject"] == ""


def test_own_and_default_texts_mixed_in_one_request(sens, sms_body):
    sent = sms_body("01000000001", type="LMS", subject="기본 제목", content="기본 내용")
    sent["messages"] += [
        {"to": "01000000002", "content": "기본 내용", "subject": "기본 제목"},
        {"to": "01000000003", "subject": "제목만 따로"},
        {"to": "01000000004", "content": '줄\n바꿈, "따옴표" \\ 와 {"json": null}'},
        {"to": "01000000005", "content": "", "subject": ""},
    ]
    request_id = sens.send(sent).json()["requestId"]
    details = [_detail(sens, i) for i in _message_ids(sens, request_id)[0]]
    assert [(m["subject"], m["content"]) for m in details] == [
        ("기본 제목", "기본 내용"),
        ("기본 제목", "기본 내용"),
        ("제목만 따로", "기본 내용"),
        ("기본 제목", '줄\n바꿈, "따옴표" \\ 와 {"json": null}'),
        ("", ""),
    ]


def test_many_requests_read_in_turn_each_give_their_own(sens):
    bodies = [sens_body(index, 3) for index in range(CACHED_BLOBS + 4)]
    ids = [_message_ids(sens, sens.send(b).json()["requestId"])[0] for b in bodies]
    for position in range(3):
        for body, message_ids in zip(bodies, ids, strict=True):
            message = _detail(sens, message_ids[position])
            assert message["content"] == body["messages"][position]["content"]


def test_personalized_resend_counts_duplicates(sens):
    sent = sens_body(7, 100)
    sens.send(sent)
    sens.send(sent)
    again = [{**m, "content": m["content"] + " 재안내"} for m in sent["messages"]]
    sens.send({**sent, "messages": again})  # other texts to the same numbers: no duplicates
    stats = sens.stats()
    assert (stats["requests_accepted"], stats["messages_accepted"]) == (3, 300)
    assert stats["duplicate_messages"] == 100
    expected = [
        {"from": sent["from"], "to": m["to"], "content": m["content"], "count": 2}
        for m in sent["messages"]
    ]
    assert stats["duplicates"] == expected
    assert stats["sent_to"] == {m["to"]: 3 for m in sent["messages"]}
