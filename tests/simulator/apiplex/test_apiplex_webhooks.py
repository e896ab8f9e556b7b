"""Results pushed to a real local receiver: records, retries, giving up, and the faults."""

import itertools
import json
import time
from datetime import datetime

from apiplex_support import ACK, COMPLETE_DELAY, SEED, ApiplexClient

from simulator import outcomes as shared
from simulator.apiplex.networks import network_for
from simulator.apiplex.outcomes import code_for
from simulator.apiplex.wire import error_object, status_object
from simulator.config import default_config
from simulator.server import start_in_thread

NUMBERS = [f"+4477009{i:05d}" for i in range(20)]  # 4 of them fail under seed 42
RECORD_FIELDS = {
    "messageId", "to", "sentAt", "doneAt", "smsCount", "mcc", "mnc", "billing",
    "echo_to_webhook", "status", "error",
}  # fmt: skip
NO_ERROR = {
    "groupId": 0,
    "groupName": "NO_ERROR",
    "id": 0,
    "name": "NO_ERROR",
    "description": "No error",
    "permanent": False,
}


def _moment(text: str) -> float:
    assert text.endswith("+09:00") and "T" in text and len(text) == 29, text
    return datetime.fromisoformat(text).timestamp()


def test_each_result_is_posted_alone_with_every_field(apiplex, body, receiver):
    apiplex.webhook(receiver.url)
    answer = apiplex.accepted(body(*NUMBERS, text="€" * 81, echo_to_webhook="campaign-7"))
    ids = {m["to"]: m["messageId"] for m in answer["messages"]}
    records = receiver.wait_for(len(NUMBERS))
    assert all(list(call["json"]) == ["results"] for call in receiver.calls)
    assert all(len(call["json"]["results"]) == 1 for call in receiver.calls)
    assert all(c["headers"]["Content-Type"].startswith("application/json") for c in receiver.calls)
    assert sorted(r["to"] for r in records) == NUMBERS
    for record in records:
        _check_final(record, ids[record["to"]])
    assert {r["status"]["groupName"] for r in records} > {"DELIVERED"}
    stats = apiplex.wait_stats(lambda s: s["webhook_succeeded"] == len(NUMBERS))
    assert (stats["webhook_attempts"], stats["webhook_failed"]) == (len(NUMBERS), 0)
    assert stats["results_completed"] == len(NUMBERS)


def _check_final(record: dict, message_id: str) -> None:
    assert set(record) == RECORD_FIELDS
    to = record["to"]
    outcome = code_for(SEED, to)
    assert record["messageId"] == message_id
    assert record["status"] == status_object(outcome.status)
    assert record["error"] == error_object(outcome.error)
    if outcome.delivered:
        assert record["error"] == NO_ERROR
    assert record["billing"] == ("Y" if outcome.status.charged else "N")
    assert (record["mcc"], record["mnc"]) == network_for(SEED, to)
    assert record["smsCount"] == 2 and record["echo_to_webhook"] == "campaign-7"
    took = _moment(record["doneAt"]) - _moment(record["sentAt"])
    assert abs(took - shared.complete_delay_for(SEED, to, COMPLETE_DELAY)) < 0.002


def test_receiver_error_is_retried_ten_times_then_given_up(apiplex, body, receiver, caplog):
    caplog.set_level("WARNING", logger="simulator.apiplex")
    apiplex.webhook(receiver.url)
    receiver.answers = [(500, ACK[1])] * 20
    apiplex.accepted(body(NUMBERS[0]))
    receiver.wait_for(11)
    time.sleep(0.4)  # a 12th call would come 0.11 s after the 11th
    assert len(receiver.calls) == 11
    assert len({json.dumps(c["json"]) for c in receiver.calls}) == 1
    stats = apiplex.stats()
    assert (stats["webhook_attempts"], stats["webhook_failed"]) == (11, 11)
    assert (stats["webhook_given_up"], stats["webhook_succeeded"]) == (1, 0)
    # The log says why, so a receiver that is down or misrouted can be told apart.
    assert "given up after 10 retries (last: HTTPError: HTTP Error 500" in caplog.text


def test_an_answer_without_code_is_a_failed_delivery(apiplex, body, receiver):
    apiplex.webhook(receiver.url)
    receiver.answers = [(200, b'{"ok": true}'), (200, b"thanks"), (204, b""), (200, b'["code"]')]
    receiver.answers += [(404, ACK[1]), (200, b'{"code": null}')]  # any `code` will do
    apiplex.accepted(body(NUMBERS[0]))
    receiver.wait_for(6)
    stats = apiplex.wait_stats(lambda s: s["webhook_succeeded"] == 1)
    assert (stats["webhook_attempts"], stats["webhook_failed"], stats["webhook_given_up"]) == (
        6,
        5,
        0,
    )
    time.sleep(0.2)
    assert len(receiver.calls) == 6


def test_retries_back_off_linearly(apiplex, body, receiver):
    apiplex.webhook(receiver.url)
    receiver.answers = [(503, b"{}")] * 4
    apiplex.accepted(body(NUMBERS[0]))
    receiver.wait_for(5)
    times = [c["at"] for c in receiver.calls]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    # retry n waits n × 10 ms (plus up to one 50 ms idle look at the queue)
    assert all(0.01 * n - 0.005 <= gap < 0.01 * n + 0.1 for n, gap in enumerate(gaps, 1))


def test_an_unreachable_receiver_is_given_up(apiplex, body, receiver, caplog):
    caplog.set_level("WARNING", logger="simulator.apiplex")
    url = receiver.url
    receiver.stop()
    apiplex.webhook(url)
    apiplex.accepted(body(NUMBERS[0]))
    stats = apiplex.wait_stats(lambda s: s["webhook_given_up"] == 1)
    assert (stats["webhook_attempts"], stats["webhook_failed"]) == (11, 11)
    assert "given up after 10 retries (last: URLError: <urlopen error [Errno 111]" in caplog.text


def test_duplicate_fault_posts_the_same_record_twice(apiplex, body, receiver):
    apiplex.webhook(receiver.url)
    apiplex.faults(webhook_duplicate_rate=1.0)
    apiplex.accepted(body(*NUMBERS[:3]))
    records = receiver.wait_for(6)
    time.sleep(0.2)
    assert len(receiver.calls) == 6
    for to in NUMBERS[:3]:
        copies = [r for r in records if r["to"] == to]
        assert len(copies) == 2 and copies[0] == copies[1]
    stats = apiplex.stats()
    assert (stats["webhook_duplicates"], stats["webhook_succeeded"]) == (3, 6)


def test_late_pending_fault_posts_pending_after_the_final_record(apiplex, body, receiver):
    apiplex.webhook(receiver.url)
    apiplex.faults(webhook_late_pending_rate=1.0)
    apiplex.accepted(body(*NUMBERS[:3], echo_to_webhook="e"))
    records = receiver.wait_for(6)
    for to in NUMBERS[:3]:
        final, late = [r for r in records if r["to"] == to]
        assert final["status"] == status_object(code_for(SEED, to).status)
        assert late["messageId"] == final["messageId"] and late["sentAt"] == final["sentAt"]
        assert late["status"] == {
            "groupId": 1,
            "groupName": "PENDING",
            "id": 3,
            "name": "PENDING_WAITING_DELIVERY",
            "description": "Message sent, awaiting delivery reports",
        }
        assert late["error"] == NO_ERROR and late["doneAt"] is None and late["billing"] == "N"
        assert set(late) == RECORD_FIELDS and late["echo_to_webhook"] == "e"
    assert apiplex.stats()["webhook_out_of_order"] == 3


def test_shuffle_fault_mixes_the_order_of_records_released_together(apiplex, body, receiver):
    apiplex.webhook(receiver.url)
    apiplex.faults(webhook_shuffle=True, complete_delay=600.0)
    apiplex.accepted(body(*NUMBERS))
    apiplex.control("POST", "/_sim/clock", {"advance_seconds": 2000})  # all due in one tick
    arrived = [r["to"] for r in receiver.wait_for(len(NUMBERS))]
    in_completion_order = sorted(NUMBERS, key=lambda n: shared.complete_delay_for(SEED, n, 600.0))
    assert sorted(arrived) == NUMBERS and arrived != in_completion_order


def test_burst_fault_holds_records_and_releases_them_at_once(apiplex, body, receiver):
    apiplex.webhook(receiver.url)
    apiplex.faults(webhook_burst_seconds=0.6)
    apiplex.accepted(body(*NUMBERS[:10]))
    time.sleep(0.4)  # every message completed 0.1-0.3 s after acceptance: all are held
    assert receiver.calls == []
    receiver.wait_for(10)
    times = [c["at"] for c in receiver.calls]
    assert max(times) - min(times) < 0.1  # the completions were up to 0.2 s apart
    assert apiplex.stats()["webhook_bursts"] == 1


def test_without_a_url_results_are_counted_unsent(apiplex, body, receiver):
    apiplex.accepted(body(*NUMBERS[:3]))
    stats = apiplex.wait_stats(lambda s: s["results_completed"] == 3)
    assert stats["webhook_unsent"] == 3 and stats["webhook_attempts"] == 0
    apiplex.webhook(receiver.url)
    time.sleep(0.3)
    assert receiver.calls == []


def test_the_url_at_completion_is_the_one_used(apiplex, body, receiver):
    apiplex.faults(complete_delay=600.0)
    apiplex.accepted(body(NUMBERS[0]))
    apiplex.webhook(receiver.url)  # set after the send, before the result
    apiplex.control("POST", "/_sim/clock", {"advance_seconds": 2000})
    assert [r["to"] for r in receiver.wait_for(1)] == [NUMBERS[0]]


def test_messages_kept_pending_never_report(apiplex, body, receiver):
    apiplex.webhook(receiver.url)
    apiplex.faults(pending_rate=1.0)
    apiplex.accepted(body(*NUMBERS[:3]))
    time.sleep(0.5)
    assert receiver.calls == [] and apiplex.stats()["results_completed"] == 0


def test_transient_numbers_recover_on_later_attempts(apiplex, body, receiver):
    transient = next(n for n in NUMBERS if code_for(SEED, n).transient)
    apiplex.webhook(receiver.url)
    apiplex.faults(recover_after=2)
    for _ in range(3):
        apiplex.accepted(body(transient))
    records = receiver.wait_for(3)
    by_sent = sorted(records, key=lambda r: r["sentAt"])
    names = [r["status"]["name"] for r in by_sent]
    first = code_for(SEED, transient).status.name
    assert names == [first, first, "DELIVERED_TO_HANDSET"]
    assert apiplex.stats()["sent_to"][transient[1:]] == 3


def test_webhook_control_endpoint(apiplex, receiver):
    assert apiplex.control("GET", "/_sim/webhook").json() == {"url": None}
    apiplex.webhook(receiver.url)
    assert apiplex.control("GET", "/_sim/webhook").json() == {"url": receiver.url}
    for bad in ({"url": "ftp://x"}, {"url": 5}):
        answer = apiplex.control("POST", "/_sim/webhook", bad)
        assert answer.status_code == 400 and "http" in answer.json()["error"]
    broken = apiplex.http.post(f"{apiplex.base_url}/_sim/webhook", data=b"[", timeout=10)
    assert broken.status_code == 400
    assert apiplex.control("DELETE", "/_sim/webhook").status_code == 404
    apiplex.webhook(None)
    apiplex.webhook(receiver.url)
    apiplex.control("POST", "/_sim/reset")
    assert apiplex.control("GET", "/_sim/webhook").json() == {"url": None}


def test_start_up_url_is_used_and_restored_by_reset(body, receiver):
    config = default_config("apiplex", port=0, webhook_url=receiver.url)
    with start_in_thread(config) as running:
        client = ApiplexClient(running)
        client.faults(complete_delay=0.1)
        client.accepted(body(NUMBERS[0]))
        assert [r["to"] for r in receiver.wait_for(1)] == [NUMBERS[0]]
        client.webhook(None)
        client.control("POST", "/_sim/reset")
        assert client.control("GET", "/_sim/webhook").json() == {"url": receiver.url}
