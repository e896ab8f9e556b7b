"""Personalized sends (a ##key## body, templateParameter per recipient) read back exactly."""

import json

from conftest import SENDER, kst

from simulator.footprint import TEMPLATE, nhn_body


def _rendered(recipient):
    values = recipient["templateParameter"]
    return TEMPLATE.format(name=values["이름"], coupon=values["쿠폰"])


def _one(nhn, request_id, seq, path="sms"):
    answer = nhn.call("GET", f"/sender/{path}/{request_id}", params={"recipientSeq": seq})
    assert answer.json()["header"]["isSuccessful"], answer.text
    return answer.json()["body"]["data"]


def test_list_and_get_give_each_recipient_its_rendered_body(nhn):
    sent = nhn_body(3, 200)
    request_id = nhn.accepted(sent)["requestId"]
    listed = nhn.listed(request_id)
    assert len({m["body"] for m in listed}) == 200
    for item, recipient in zip(listed, sent["recipientList"], strict=True):
        number = recipient["recipientNo"]
        assert (item["recipientNo"], item["body"]) == (number, _rendered(recipient))
        assert item["recipientGroupingKey"] == number
    for seq in (1, 77, 200):
        one = _one(nhn, request_id, seq)
        recipient = sent["recipientList"][seq - 1]
        assert (one["recipientSeq"], one["body"]) == (seq, _rendered(recipient))


def test_long_reservation_shows_each_title_body_and_parameters(nhn):
    sent = nhn_body(4, 30)
    sent.update(title="##이름##님 안내", requestDate=kst(nhn.sim_now() + 1800, "%Y-%m-%d %H:%M"))
    sent["recipientList"][5] = {"recipientNo": "01099990005"}  # no parameters: the template
    request_id = nhn.accepted(sent, "mms")["requestId"]
    answer = nhn.call("GET", "/reservations", params={"pageSize": 100}).json()
    items = answer["body"]["data"]
    assert [i["requestId"] for i in items] == [request_id] * 30
    for item, recipient in zip(items, sent["recipientList"], strict=True):
        values = recipient.get("templateParameter")
        if values is None:
            assert (item["title"], item["body"]) == (sent["title"], sent["body"])
            assert item["templateParameter"] is None
            continue
        assert item["title"] == f"{values['이름']}님 안내" and item["body"] == _rendered(recipient)
        assert item["templateParameter"] == json.dumps(values, ensure_ascii=False)
    assert _one(nhn, request_id, 6, "mms")["title"] == "##이름##님 안내"


def test_personalized_resend_counts_duplicates(nhn):
    sent = nhn_body(5, 150)
    expected = [(r["recipientNo"], _rendered(r)) for r in sent["recipientList"]]
    nhn.accepted(sent)
    nhn.accepted(sent)
    for recipient in sent["recipientList"]:
        recipient["templateParameter"]["쿠폰"] += "X"
    nhn.accepted(sent)  # other texts to the same numbers: no duplicates
    stats = nhn.stats()
    assert (stats["requests_accepted"], stats["messages_accepted"]) == (3, 450)
    assert stats["duplicate_messages"] == 150
    assert (
        stats["duplicates"]
        == [  # the first MAX_DUPLICATES_SHOWN keys seen twice
            {"from": SENDER, "to": to, "content": content, "count": 2}
            for to, content in expected[:100]
        ]
    )
    assert stats["sent_to"] == {to: 3 for to, _ in expected}


def test_webhooks_carry_each_recipients_grouping_key(nhn, receiver):
    answer = nhn.control("POST", "/_sim/webhook", {"url": receiver.url, "signature": "s"})
    assert answer.status_code == 200
    sent = nhn_body(6, 25)
    nhn.accepted(sent)
    receiver.wait_for(lambda calls: sum(len(c["json"]["hooks"]) for c in calls) >= 25)
    hooks = receiver.hooks()
    assert len(hooks) == 25
    assert all(h["recipientGroupingKey"] == h["recipientNo"] for h in hooks)
    assert {h["recipientNo"] for h in hooks} == {r["recipientNo"] for r in sent["recipientList"]}
