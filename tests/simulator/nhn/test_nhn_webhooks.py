"""MESSAGE_RESULT_UPDATE and UNSUBSCRIBE webhooks to a tiny local receiver."""

import time

from conftest import SEED, SENDER, epoch, kst

from simulator.nhn.outcomes import code_for

NUMBERS = [f"010{i:08d}" for i in range(10, 35)]


def _configure(nhn, receiver, signature="s3cr3t-signature"):
    answer = nhn.control("POST", "/_sim/webhook", {"url": receiver.url, "signature": signature})
    assert answer.json() == {"url": receiver.url, "signature": signature}


def _counted(nhn, timeout: float = 5.0, **expected: int) -> dict[str, int]:
    """The simulator's counters named, once they reach `expected` or the time is up: it counts
    a delivery when the receiver's answer is back, a moment after the receiver recorded it."""
    deadline = time.monotonic() + timeout
    while True:
        stats = nhn.stats()
        if all(stats[k] == v for k, v in expected.items()) or time.monotonic() > deadline:
            return {k: stats[k] for k in expected}
        time.sleep(0.02)


def test_webhook_control_endpoint(nhn, receiver):
    assert nhn.control("GET", "/_sim/webhook").json() == {"url": None, "signature": None}
    _configure(nhn, receiver)
    assert nhn.control("GET", "/_sim/webhook").json()["url"] == receiver.url
    bad = nhn.control("POST", "/_sim/webhook", {"url": "ftp://x"})
    assert bad.status_code == 400 and "http" in bad.json()["error"]
    nhn.control("POST", "/_sim/reset")
    assert nhn.control("GET", "/_sim/webhook").json() == {"url": None, "signature": None}


def test_each_completed_message_is_hooked_in_batches(nhn, body, receiver):
    _configure(nhn, receiver)
    sent = body(*NUMBERS, senderGroupingKey="campaign")
    sent["recipientList"][0]["recipientGroupingKey"] = "first"
    request_id = nhn.accepted(sent)["requestId"]
    receiver.wait_for(lambda calls: sum(len(c["json"]["hooks"]) for c in calls) >= len(NUMBERS))
    calls = receiver.answered()
    assert all(len(c["json"]["hooks"]) <= 10 for c in calls) and len(calls) >= 3
    for call in calls:
        assert call["headers"]["X-Toast-Webhook-Signature"] == "s3cr3t-signature"
        envelope = call["json"]
        assert {k: envelope[k] for k in ("productName", "appKey", "event")} == {
            "productName": "SMS",
            "appKey": nhn.app_key,
            "event": "MESSAGE_RESULT_UPDATE",
        }
        assert len(envelope["hooksId"]) == 25 and envelope["webhookConfigId"]
    hooks = receiver.hooks()
    assert sorted(h["recipientSeq"] for h in hooks) == list(range(1, len(NUMBERS) + 1))
    for hook in hooks:
        number = NUMBERS[hook["recipientSeq"] - 1]
        code = code_for(SEED, number)
        assert (hook["recipientNo"], hook["resultCode"]) == (number, code)
        assert hook["messageStatus"] == ("COMPLETED" if code == "1000" else "FAILED")
        assert (hook["requestId"], hook["sendNo"], hook["senderType"]) == (
            request_id,
            SENDER,
            "NORMAL_SMS",
        )
        assert hook["senderGroupingKey"] == "campaign" and hook["messageCount"] == 1
        assert "T" in hook["requestDate"] and hook["receiveDate"] >= hook["requestDate"]
        assert hook["_links"]["self"]["href"].endswith(f"?recipientSeq={hook['recipientSeq']}")
    first = next(h for h in hooks if h["recipientSeq"] == 1)
    assert first["recipientGroupingKey"] == "first"
    assert _counted(nhn, webhook_deliveries=len(calls)) == {"webhook_deliveries": len(calls)}


def test_failed_deliveries_are_retried_then_given_up(nhn, body, receiver):
    _configure(nhn, receiver)
    receiver.statuses = [500, 503]
    nhn.accepted(body("01012345678"))
    receiver.wait_for(lambda calls: any(c["status"] == 200 for c in calls))
    assert [c["status"] for c in receiver.calls] == [500, 503, 200]
    assert len({c["json"]["hooksId"] for c in receiver.calls}) == 1
    assert _counted(nhn, webhook_retries=2, webhook_deliveries=1) == {
        "webhook_retries": 2, "webhook_deliveries": 1}  # fmt: skip
    receiver.statuses = [500] * 10  # more than the 3 retries this simulator makes
    nhn.accepted(body("01087654321"))
    receiver.wait_for(lambda calls: len(calls) == 7)
    assert _counted(nhn, webhook_failures=1, webhook_retries=5) == {
        "webhook_failures": 1, "webhook_retries": 5}  # fmt: skip
    assert len(receiver.calls) == 7


def test_duplicate_fault_sends_each_delivery_twice(nhn, body, receiver):
    _configure(nhn, receiver)
    nhn.faults(webhook_duplicate_rate=1.0)
    nhn.accepted(body("01012345678"))
    receiver.wait_for(lambda calls: len(calls) == 2)
    first, second = receiver.calls
    assert first["json"] == second["json"]
    assert _counted(nhn, webhook_duplicates=1) == {"webhook_duplicates": 1}


def test_shuffle_fault_delivers_out_of_order(nhn, body, receiver):
    _configure(nhn, receiver)
    nhn.faults(webhook_shuffle=True, complete_delay=600.0)
    request_id = nhn.accepted(body(*NUMBERS))["requestId"]
    nhn.advance(2000)  # every message completes in the same tick
    receiver.wait_for(lambda calls: sum(len(c["json"]["hooks"]) for c in calls) == len(NUMBERS))
    seqs = [h["recipientSeq"] for h in receiver.hooks()]
    assert sorted(seqs) == list(range(1, len(NUMBERS) + 1)) and seqs != sorted(seqs)
    assert {h["requestId"] for h in receiver.hooks()} == {request_id}


def test_without_a_webhook_nothing_is_sent(nhn, body, receiver):
    nhn.accepted(body("01012345678"))
    _configure(nhn, receiver)  # too late for that request
    time.sleep(0.5)
    assert receiver.calls == []


def test_cancel_is_hooked(nhn, body, receiver):
    _configure(nhn, receiver)
    text = kst(nhn.sim_now() + 1800, "%Y-%m-%d %H:%M")
    request_id = nhn.accepted(body("01012345678", "01087654321", requestDate=text))["requestId"]
    nhn.call(
        "PUT",
        "/reservations/cancel",
        {"reservationList": [{"requestId": request_id, "recipientSeq": 2}], "updateUser": "u"},
    )
    receiver.wait_for(lambda calls: len(calls) == 1)
    (hook,) = receiver.hooks()
    assert (hook["recipientSeq"], hook["messageStatus"], hook["resultCode"]) == (2, "CANCEL", None)
    nhn.advance_to(epoch(text) + 5)
    receiver.wait_for(lambda calls: len(calls) == 2)
    assert [h["recipientSeq"] for h in receiver.hooks()] == [2, 1]


def test_opt_out_registration_fires_unsubscribe(nhn, receiver):
    _configure(nhn, receiver)
    nhn.call(
        "POST",
        "/blockservice/recipients",
        {"unsubscribeNo": "0801234567", "recipientNoList": ["01012345678", "01087654321"]},
    )
    receiver.wait_for(lambda calls: len(calls) == 1)
    assert receiver.calls[0]["json"]["event"] == "UNSUBSCRIBE"
    hooks = receiver.hooks("UNSUBSCRIBE")
    assert [(h["recipientNo"], h["unsubscribeNo"]) for h in hooks] == [
        ("01012345678", "0801234567"),
        ("01087654321", "0801234567"),
    ]
    assert hooks[0]["createdDateTime"].endswith("+09:00") and hooks[0]["enterpriseName"]
