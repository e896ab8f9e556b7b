"""Batch queries read and change the batches their filters name, exactly, and no other."""

import pytest

from tests.db.conftest import MIN, T0
from worker.db import batches
from worker.domain.statuses import BatchStatus as B


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
