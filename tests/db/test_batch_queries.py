"""Batch queries read and change the batches their filters name, exactly, and no other."""

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Connection, select, update

from tests.db.conftest import MIN, T0, Rows, without_plan_order
from worker.db import batches
from worker.db.models import Batch, Recipient
from worker.domain.statuses import BatchStatus as B

IDLE = ["sens"]  # providers whose send queue is empty: a planned batch of theirs lost its task


def test_sendable_reads_that_planned_or_sending_batch_with_its_sender(conn, rows):
    campaign = rows.campaign(sender="0311112222")
    planned = rows.batch(campaign, recipient_count=7)
    sending = rows.batch(rows.campaign(), status="sending", recipient_count=3)
    accepted = rows.batch(campaign, status="accepted")
    assert tuple(batches.sendable(conn, planned)) == (7, "0311112222")
    assert tuple(batches.sendable(conn, sending)) == (3, "0212345678")
    assert batches.sendable(conn, accepted) is None


def test_release_resumed_makes_that_campaigns_planned_batches_due(conn, rows, watch):
    campaign, other = rows.campaign(), rows.campaign()
    planned = rows.batch(campaign)
    rows.batch(campaign, status="accepted")
    rows.batch(other)
    with watch() as seen:
        assert batches.release_resumed(conn, campaign, T0) == 1
    assert seen.diff == {("batch", planned): {"status": "retry", "next_attempt_at": T0}}


def test_cancel_unsent_cancels_that_campaigns_planned_and_retry_batches(conn, rows, watch):
    campaign, other = rows.campaign(), rows.campaign()
    unsent = [rows.batch(campaign, status=s, next_attempt_at=T0) for s in ("planned", "retry")]
    for status in ("sending", "accepted", "unsure"):
        rows.batch(campaign, status=status)
    rows.batch(other)
    with watch() as seen:
        assert batches.cancel_unsent(conn, campaign, T0) == 2
    change = {"status": "cancelled", "completed_at": T0, "next_attempt_at": None}
    assert seen.diff == {("batch", b): change for b in unsent}


@pytest.mark.parametrize("new", [None, B.CANCELLED])
def test_set_reserve_status_writes_that_accepted_batch_alone(conn, rows, watch, new):
    campaign = rows.campaign()
    target, _ = (rows.batch(campaign, status="accepted") for _ in range(2))
    sending = rows.batch(campaign, status="sending")
    with watch() as seen:
        assert batches.set_reserve_status(conn, target, "CANCELED", new, completed_at=T0) is True
        assert batches.set_reserve_status(conn, sending, "CANCELED", new) is False
    change = {"reserve_status": "CANCELED", "completed_at": T0}
    if new is not None:
        change["status"] = "cancelled"
    assert seen.diff == {("batch", target): change}


def test_for_poll_reads_the_named_batches_still_accepted_in_id_order(conn, rows):
    campaign = rows.campaign(deadline_at=T0)
    first, second = rows.batch(campaign, status="accepted"), rows.batch(campaign, status="accepted")
    rows.batch(campaign, status="accepted")  # not named
    done = rows.batch(campaign, status="completed")
    read = batches.for_poll(conn, [first, second, done])
    assert [row.id for row in read] == [first, second]
    assert read[0].deadline_at == T0


def test_contexts_for_batches_reads_the_providers_accepted_or_completed_batches(conn, rows):
    campaign = rows.campaign(deadline_at=T0)
    accepted = rows.batch(campaign, status="accepted", request_id="R-1")
    completed = rows.batch(campaign, status="completed")
    sending = rows.batch(campaign, status="sending")
    elsewhere = rows.batch(campaign, status="accepted", provider="nhn")
    rows.batch(campaign, status="accepted")  # not named
    named = [accepted, completed, sending, elsewhere]
    read = {row.id: row for row in batches.contexts_for_batches(conn, "sens", named)}
    assert sorted(read) == sorted([accepted, completed])
    assert (read[accepted].request_id, read[accepted].deadline_at) == ("R-1", T0)


def test_late_results_counts_the_providers_unreserved_sends_in_the_window(conn, rows):
    campaign = rows.campaign()
    counted = {"recipient_count": 10, "settled": 4}
    rows.batch(campaign, status="accepted", sent_at=T0, **counted)  # the window's first instant
    rows.batch(campaign, status="completed", sent_at=T0 + MIN, recipient_count=5, settled=5)
    rows.batch(campaign, status="accepted", sent_at=T0 + 2 * MIN, **counted)  # its end: out
    rows.batch(campaign, status="accepted", sent_at=T0 - MIN, **counted)
    rows.batch(campaign, status="accepted", sent_at=T0, provider="nhn", **counted)
    rows.batch(campaign, status="unsure", sent_at=T0, **counted)
    rows.batch(campaign, status="accepted", sent_at=T0, reserve_time=T0, **counted)
    assert batches.late_results(conn, "sens", T0, T0 + 2 * MIN) == (6, 15)
    assert batches.late_results(conn, "apiplex", T0, T0 + 2 * MIN) == (0, 0)


def test_sweep_load_counts_the_awaited_and_those_completed_since(conn, rows):
    campaign = rows.campaign()
    rows.batch(campaign, status="accepted", recipient_count=10, settled=3)
    rows.batch(campaign, status="completed", recipient_count=5, completed_at=T0)
    rows.batch(campaign, status="completed", recipient_count=50, completed_at=T0 - MIN)
    rows.batch(campaign, status="accepted", recipient_count=100, provider="nhn")
    assert batches.sweep_load(conn, "sens", T0) == 12
    assert batches.sweep_load(conn, "apiplex", T0) == 0


def test_open_counts_adds_what_each_open_status_still_holds(conn, rows):
    campaign = rows.campaign()
    rows.batch(campaign, status="accepted", recipient_count=10, settled=3)
    rows.batch(campaign, status="accepted", recipient_count=5)
    rows.batch(campaign, status="planned", recipient_count=2)
    rows.batch(campaign, status="completed", recipient_count=9)
    rows.batch(rows.campaign(), status="accepted", recipient_count=100)
    assert batches.open_counts(conn, campaign) == {"accepted": 12, "planned": 2}


def test_pending_reservations_reads_accepted_batches_reserved_ahead(conn, rows):
    campaign = rows.campaign()
    ahead = rows.batch(campaign, status="accepted", reserve_time=T0 + MIN, request_id="R-1")
    rows.batch(campaign, status="accepted", reserve_time=T0)
    rows.batch(campaign, status="cancelled", reserve_time=T0 + MIN)
    rows.batch(rows.campaign(), status="accepted", reserve_time=T0 + MIN)
    read = batches.pending_reservations(conn, campaign, T0)
    assert [(row.id, row.request_id, row.provider) for row in read] == [(ahead, "R-1", "sens")]


def test_after_poll_completes_a_settled_batch_or_polls_it_later(conn, rows, watch):
    campaign = rows.campaign()
    settled = rows.batch(campaign, status="accepted", recipient_count=2, settled=2)
    waiting = rows.batch(campaign, status="accepted", recipient_count=2, settled=1, poll_count=3)
    rows.batch(campaign, status="accepted", recipient_count=2)  # not named
    cancelled = rows.batch(campaign, status="cancelled", recipient_count=2)  # left since
    with watch() as seen:
        assert batches.after_poll(conn, settled, T0, T0 + MIN) is True
        assert batches.after_poll(conn, waiting, T0, T0 + MIN) is False
        assert batches.after_poll(conn, cancelled, T0, T0 + MIN) is False
    assert seen.diff == {
        ("batch", settled): {"status": "completed", "completed_at": T0},
        ("batch", waiting): {"next_poll_at": T0 + MIN, "poll_count": 4},
    }


def test_poll_later_and_lease_polls_move_the_named_batches_alone(conn, rows, watch):
    campaign = rows.campaign()
    first, second = (rows.batch(campaign, status="accepted") for _ in range(2))
    done = rows.batch(campaign, status="completed")
    with watch() as seen:
        batches.poll_later(conn, {first: T0, done: T0})
        batches.lease_polls(conn, [second], T0 + MIN)
    assert seen.diff == {
        ("batch", first): {"next_poll_at": T0, "poll_count": 1},
        ("batch", second): {"next_poll_at": T0 + MIN},
    }


def test_settle_adds_to_the_named_batches_alone(conn, rows, watch):
    campaign = rows.campaign()
    first, second, third = (rows.batch(campaign, settled=1) for _ in range(3))
    with watch() as seen:
        batches.settle_many(conn, {first: 2, second: 0})
        batches.settle(conn, third, 3)
        batches.settle(conn, first, 0)
    assert seen.diff == {("batch", first): {"settled": 3}, ("batch", third): {"settled": 4}}


def test_finish_send_moves_that_sending_batch_alone_and_drops_its_lease(conn, rows, watch):
    campaign = rows.campaign()
    target, _ = (rows.batch(campaign, status="sending", lease_until=T0) for _ in range(2))
    planned = rows.batch(campaign, lease_until=T0)
    with watch() as seen:
        assert batches.finish_send(conn, target, B.RETRY, next_attempt_at=T0) is True
        assert batches.finish_send(conn, planned, B.RETRY) is False
    change = {"status": "retry", "lease_until": None, "next_attempt_at": T0}
    assert seen.diff == {("batch", target): change}


class _Between:
    """`conn` for a query that reads, then writes: `write` runs just before its second
    statement, as another worker's commit landing between the two."""

    def __init__(self, conn: Connection, write: Callable[[], object]) -> None:
        self.conn, self.write, self.calls = conn, write, 0

    def execute(self, statement: Any, *args: Any) -> Any:
        self.calls += 1
        if self.calls == 2:
            self.write()
        return self.conn.execute(statement, *args)


def test_release_due_takes_retries_and_the_idle_providers_planned_batches_due(conn, rows, watch):
    campaign = rows.campaign()
    retry = rows.batch(campaign, status="retry", provider="nhn", next_attempt_at=T0 - MIN)
    at_now = rows.batch(campaign, status="retry", next_attempt_at=T0)  # due at that instant
    lost = rows.batch(campaign, next_attempt_at=T0 - 2 * MIN)
    rows.batch(campaign, provider="nhn", next_attempt_at=T0 - MIN)  # its task still queued
    rows.batch(campaign, status="retry", next_attempt_at=T0 + MIN)  # not due yet
    rows.batch(campaign, status="accepted", next_attempt_at=T0 - MIN)
    paused = rows.campaign(status="paused", paused_from="dispatching")
    rows.batch(paused, status="retry", next_attempt_at=T0 - MIN)  # waits for the resume
    with watch() as seen:
        released = batches.release_due(conn, T0, MIN, 10, IDLE)
    assert sorted(map(tuple, released)) == sorted(
        [(retry, "nhn"), (at_now, "sens"), (lost, "sens")]
    )
    moved = {"status": "planned", "next_attempt_at": T0 + MIN}
    assert seen.diff == {
        ("batch", retry): moved,
        ("batch", at_now): moved,
        ("batch", lost): {"next_attempt_at": T0 + MIN},  # published again a regrace later
    }


def test_release_due_takes_the_longest_due_first_up_to_its_limit(conn, rows):
    campaign = rows.campaign()
    # An idle provider's unsure batch waiting for its lookup is no lost task: it takes no place.
    rows.batch(campaign, status="unsure", next_attempt_at=T0 - 9 * MIN)
    due = [rows.batch(campaign, status="retry", next_attempt_at=T0 - n * MIN) for n in (1, 3, 2)]
    without_plan_order(conn)
    released = batches.release_due(conn, T0, MIN, 2, IDLE)
    assert sorted(row.id for row in released) == sorted([due[1], due[2]])


def test_release_due_leaves_a_batch_claimed_after_it_read_it(conn, rows, watch):
    lost = rows.batch(rows.campaign(), next_attempt_at=T0 - MIN)
    claimed = _Between(conn, lambda: batches.claim(conn, lost, T0, MIN))
    with watch() as seen:
        assert batches.release_due(claimed, T0, MIN, 10, IDLE) == []  # type: ignore[arg-type]
    claim = {"status": "sending", "claimed_at": T0, "lease_until": T0 + MIN, "send_attempts": 1}
    assert seen.diff == {("batch", lost): claim}


def test_of_two_releases_at_once_only_the_first_publishes_a_batch(conn, rows):
    retry = rows.batch(rows.campaign(), status="retry", next_attempt_at=T0 - MIN)
    first: list[Any] = []
    other = _Between(conn, lambda: first.extend(batches.release_due(conn, T0, MIN, 10, IDLE)))
    assert batches.release_due(other, T0, MIN, 10, IDLE) == []  # type: ignore[arg-type]
    assert [row.id for row in first] == [retry]


def test_complete_if_done_completes_that_settled_accepted_batch_alone(conn, rows, watch):
    campaign = rows.campaign()
    settled = {"recipient_count": 2, "settled": 2, "next_poll_at": T0}
    target, _ = (rows.batch(campaign, status="accepted", **settled) for _ in range(2))
    still_open = rows.batch(campaign, status="accepted", recipient_count=2, settled=1)
    cancelled = rows.batch(campaign, status="cancelled", **settled)
    with watch() as seen:
        assert batches.complete_if_done(conn, target, T0) is True
        assert batches.complete_if_done(conn, still_open, T0) is False
        assert batches.complete_if_done(conn, cancelled, T0) is False
    change = {"status": "completed", "completed_at": T0, "next_poll_at": None}
    assert seen.diff == {("batch", target): change}


def test_open_count_and_oldest_open_sent_read_the_providers_accepted_batches(conn, rows):
    campaign = rows.campaign()
    rows.batch(campaign, status="accepted", sent_at=T0)
    rows.batch(campaign, status="accepted", sent_at=T0 + MIN)
    # Older, but done, not yet answered, or another provider's: none of them awaits results here.
    rows.batch(campaign, status="completed", sent_at=T0 - 3 * MIN)
    rows.batch(campaign, status="unsure", sent_at=T0 - 2 * MIN)
    rows.batch(campaign)  # planned
    rows.batch(campaign, status="accepted", provider="nhn", sent_at=T0 - MIN)
    assert batches.open_count(conn, "sens") == 2
    assert batches.oldest_open_sent(conn, "sens") == T0
    assert batches.open_count(conn, "apiplex") == 0
    assert batches.oldest_open_sent(conn, "apiplex") is None


def test_first_sends_are_that_campaigns_range_batches_in_first_id_order(conn, rows):
    campaign, other = rows.campaign(), rows.campaign()
    rows.batch(campaign, first_id=5, last_id=9, status="accepted", sent_at=T0)
    rows.batch(campaign)  # a re-send's batch: its members are listed, it holds no range
    rows.batch(other, first_id=1, last_id=4)  # another campaign's, imported alongside
    rows.batch(campaign, first_id=1, last_id=4, message_type="LMS")
    without_plan_order(conn)  # stored with the later range first
    read = [tuple(row) for row in batches.first_sends(conn, campaign)]
    assert read == [(1, 4, "LMS", "planned", "sens", None), (5, 9, "SMS", "accepted", "sens", T0)]


def test_due_for_poll_reads_the_providers_due_accepted_batches_longest_due_first(conn, rows):
    campaign = rows.campaign(created_at=T0 - 60 * MIN)
    dated = rows.campaign(deadline_at=T0 + 60 * MIN)
    at_now = rows.batch(campaign, status="accepted", next_poll_at=T0, request_id="R-3")
    later = rows.batch(dated, status="accepted", next_poll_at=T0 - MIN, request_id="R-2")
    first = rows.batch(campaign, status="accepted", next_poll_at=T0 - 2 * MIN, poll_count=4)
    # Not due yet, another provider's (due longest of all), or no longer accepted.
    rows.batch(campaign, status="accepted", next_poll_at=T0 + MIN)
    rows.batch(campaign, status="accepted", provider="nhn", next_poll_at=T0 - 3 * MIN)
    rows.batch(campaign, status="completed", next_poll_at=T0 - 3 * MIN)
    without_plan_order(conn)  # stored with the latest due first
    read = batches.due_for_poll(conn, "sens", T0, 10)
    assert [row.id for row in read] == [first, later, at_now]
    # The poller needs a deadline: the campaign's own, else its creation plus the default.
    assert [(r.request_id, r.poll_count, r.created_at, r.deadline_at) for r in read] == [
        (None, 4, T0 - 60 * MIN, None), ("R-2", 0, T0, T0 + 60 * MIN),
        ("R-3", 0, T0 - 60 * MIN, None)]  # fmt: skip
    assert [row.id for row in batches.due_for_poll(conn, "sens", T0, 2)] == [first, later]


def test_contexts_for_requests_read_that_providers_batches_behind_the_ids(conn, rows):
    campaign = rows.campaign(created_at=T0 - MIN, deadline_at=T0 + MIN)
    one = rows.batch(campaign, status="accepted", request_id="R-1", first_id=3, last_id=9)
    two = rows.batch(campaign, status="completed", request_id="R-2", attempt=2)
    rows.batch(campaign, status="accepted", request_id="R-3")  # not asked for
    rows.batch(campaign, status="accepted", provider="nhn", request_id="R-1")  # NHN's R-1
    read = batches.contexts_for_requests(conn, "sens", ["R-1", "R-2"])
    assert sorted(tuple(row) for row in read) == [
        (one, campaign, "SMS", 1, 3, 9, "R-1", T0 - MIN, T0 + MIN),
        (two, campaign, "SMS", 2, None, None, "R-2", T0 - MIN, T0 + MIN)]  # fmt: skip


def test_overdue_reads_the_providers_accepted_batches_out_before_the_cutoff(conn, rows):
    campaign = rows.campaign()
    late = rows.batch(campaign, status="accepted", sent_at=T0 - MIN)
    rows.batch(campaign, status="accepted", sent_at=T0)  # out at the cutoff itself: in time
    # Reserved: it goes out at its reserved time, however long ago it was handed over.
    rows.batch(campaign, status="accepted", sent_at=T0 - 9 * MIN, reserve_time=T0 + MIN)
    rows.batch(campaign, status="accepted", provider="nhn", sent_at=T0 - MIN)
    rows.batch(campaign, status="completed", sent_at=T0 - MIN)
    assert [row.id for row in batches.overdue(conn, "sens", T0)] == [late]


def test_complete_many_completes_the_named_settled_accepted_batches_alone(conn, rows, watch):
    campaign = rows.campaign()
    done = rows.batch(campaign, status="accepted", recipient_count=2, settled=2, next_poll_at=T0)
    open_ = rows.batch(campaign, status="accepted", recipient_count=2, settled=1, next_poll_at=T0)
    gone = rows.batch(campaign, status="cancelled", recipient_count=2, settled=2)
    rows.batch(campaign, status="accepted", recipient_count=2, settled=2, next_poll_at=T0)
    with watch() as seen:
        assert batches.complete_many(conn, [done, open_, gone], T0 + MIN) == [done]
    assert seen.diff == {
        ("batch", done): {"status": "completed", "completed_at": T0 + MIN, "next_poll_at": None}
    }


def test_planned_through_is_the_end_of_that_campaigns_last_range_of_that_type(conn, rows):
    campaign, other = rows.campaign(), rows.campaign()
    assert batches.planned_through(conn, campaign, "SMS") == 0  # nothing planned yet
    rows.batch(campaign, first_id=1, last_id=100)
    rows.batch(campaign, first_id=201, last_id=260)  # the last range, written first below
    rows.batch(campaign, first_id=101, last_id=200)
    rows.batch(campaign, first_id=300, last_id=310, message_type="LMS")
    rows.batch(other, first_id=400, last_id=500)
    rows.batch(campaign, attempt=2, last_id=900)  # a re-send: no range of its own
    without_plan_order(conn)
    assert batches.planned_through(conn, campaign, "SMS") == 260
    assert batches.planned_through(conn, campaign, "LMS") == 310
    assert batches.planned_through(conn, other, "SMS") == 500


def _plan(campaign: int, after: int, **changes: Any) -> dict[str, Any]:
    values = {"campaign_id": campaign, "provider": "sens", "message_type": "SMS", "after": after,
              "size": 2, "chunk": 4, "complete": True, "now": T0, "due": T0 + MIN}  # fmt: skip
    return {**values, **changes}


def _ranges(conn: Connection, campaign: int) -> list[tuple]:
    columns = (Batch.first_id, Batch.last_id, Batch.recipient_count, Batch.attempt, Batch.status,
               Batch.next_attempt_at)  # fmt: skip
    query = select(*columns).where(Batch.campaign_id == campaign)
    return sorted(conn.execute(query).all())


def test_plan_ranges_cuts_the_next_chunk_of_pending_ids_in_id_order(conn, rows):
    campaign, other = rows.campaign(), rows.campaign()
    ids = [rows.recipient(campaign, f"0100000{n:04d}") for n in range(7)]
    rows.recipient(campaign, "01000009999", message_type="LMS")
    rows.recipient(campaign, "01000009998", status="suppressed")
    rows.recipient(other, "01000000001")
    # Rows rewritten since the import lie out of id order on disk, as on a busy table.
    conn.execute(update(Recipient).where(Recipient.id.in_(ids[:3])).values(variables={}))
    without_plan_order(conn)
    first = batches.plan_ranges(conn, _plan(campaign, after=0))
    assert [size for _, size in first] == [2, 2]  # a chunk of 4 ids: two batches
    second = batches.plan_ranges(conn, _plan(campaign, after=ids[3]))
    assert [size for _, size in second] == [2, 1]  # the rest, the last one short
    due = T0 + MIN
    assert _ranges(conn, campaign) == [
        (ids[0], ids[1], 2, 1, "planned", due), (ids[2], ids[3], 2, 1, "planned", due),
        (ids[4], ids[5], 2, 1, "planned", due), (ids[6], ids[6], 1, 1, "planned", due)]  # fmt: skip


def test_plan_ranges_keeps_a_short_last_group_only_once_the_import_is_complete(conn, rows):
    campaign = rows.campaign()
    ids = [rows.recipient(campaign, f"0100000{n:04d}") for n in range(3)]
    assert len(batches.plan_ranges(conn, _plan(campaign, 0, complete=False))) == 1
    assert batches.plan_ranges(conn, _plan(campaign, ids[1], complete=False)) == []
    assert [size for _, size in batches.plan_ranges(conn, _plan(campaign, ids[1]))] == [1]
    assert batches.plan_ranges(conn, _plan(campaign, 0)) == []  # planned already: skipped


def test_planned_batches_read_back_their_times_and_are_due_on_either_database(any_db):
    rows = Rows(any_db)
    campaign = rows.campaign()
    rows.recipient(campaign, "01000000001")
    [(batch_id, _)] = batches.plan_ranges(any_db, _plan(campaign, 0))
    query = select(Batch.created_at, Batch.next_attempt_at).where(Batch.id == batch_id)
    assert any_db.execute(query).one() == (T0, T0 + MIN)
    due = select(Batch.id).where(Batch.next_attempt_at <= T0 + MIN)
    assert any_db.execute(due).scalars().all() == [batch_id]
