"""The unsure batch's queries change that batch alone, only while it is unsure, and exactly."""

import pytest

from tests.db.conftest import MIN, T0
from worker.db import lookups
from worker.domain.statuses import BatchStatus as B

NOT_UNSURE = [s for s in B if s is not B.UNSURE]


@pytest.fixture()
def two(rows):
    """Two unsure batches of two campaigns: the one acted on and a bystander."""
    ids = [rows.batch(rows.campaign(), status="unsure", lookups=2) for _ in range(2)]
    return ids


def test_ask_later_counts_one_lookup_and_sets_the_next_on_that_batch_alone(conn, two, watch):
    target, _ = two
    with watch() as seen:
        assert lookups.ask_later(conn, target, T0 + MIN, "x" * 600) is True
    change = {"lookups": 3, "next_attempt_at": T0 + MIN, "error_message": "x" * 500}
    assert seen.diff == {("batch", target): change}


@pytest.mark.parametrize("status", NOT_UNSURE)
def test_ask_later_leaves_a_batch_no_longer_unsure(conn, rows, watch, status):
    batch = rows.batch(rows.campaign(), status=status.value)
    with watch() as seen:
        assert lookups.ask_later(conn, batch, T0, "e") is False
    assert seen.diff == {}


def test_not_found_moves_that_batch_alone_with_its_fields(conn, two, watch):
    target, _ = two
    with watch() as seen:
        assert lookups.not_found(conn, target, B.RETRY, next_attempt_at=T0) is True
    assert seen.diff == {("batch", target): {"status": "retry", "next_attempt_at": T0}}


@pytest.mark.parametrize("status", NOT_UNSURE)
def test_not_found_leaves_a_batch_no_longer_unsure(conn, rows, watch, status):
    batch = rows.batch(rows.campaign(), status=status.value)
    with watch() as seen:
        assert lookups.not_found(conn, batch, B.CANCELLED, completed_at=T0) is False
    assert seen.diff == {}


def test_found_accepts_that_batch_alone_with_the_answer(conn, two, watch):
    target, _ = two
    answer = {"request_id": "R-1", "sent_at": T0, "http_status": 202, "next_poll_at": T0 + MIN}
    with watch() as seen:
        assert lookups.found(conn, target, answer) is True
    assert seen.diff == {("batch", target): {"status": "accepted", **answer}}


def test_mark_unsure_takes_a_sending_batch_alone_and_drops_its_lease(conn, rows, watch):
    campaign = rows.campaign()
    target, _ = (rows.batch(campaign, status="sending", lease_until=T0) for _ in range(2))
    with watch() as seen:
        assert lookups.mark_unsure(conn, target, T0 + MIN, error_code="LOST") is True
        assert lookups.mark_unsure(conn, target, T0 + MIN) is False
    change = {"status": "unsure", "lease_until": None, "next_attempt_at": T0 + MIN,
              "error_code": "LOST"}  # fmt: skip
    assert seen.diff == {("batch", target): change}


def test_unsure_lapsed_takes_only_sending_batches_whose_lease_ended(conn, rows, watch):
    campaign = rows.campaign()
    lapsed = rows.batch(campaign, status="sending", lease_until=T0 - MIN)
    rows.batch(campaign, status="sending", lease_until=T0)  # lapses at T0, not before
    rows.batch(campaign, status="planned", lease_until=T0 - MIN)
    with watch() as seen:
        assert lookups.unsure_lapsed(conn, T0, T0 + MIN) == [lapsed]
    change = {"status": "unsure", "lease_until": None, "next_attempt_at": T0 + MIN}
    assert seen.diff == {("batch", lapsed): change}


def test_due_reads_the_providers_unsure_batches_whose_time_came_oldest_first(conn, rows):
    campaign = rows.campaign()
    later = rows.batch(campaign, status="unsure", next_attempt_at=T0)
    first = rows.batch(campaign, status="unsure", next_attempt_at=T0 - MIN, lookups=4)
    rows.batch(campaign, status="unsure", next_attempt_at=T0 + MIN)
    rows.batch(campaign, status="retry", next_attempt_at=T0 - MIN)
    rows.batch(campaign, status="unsure", next_attempt_at=T0 - MIN, provider="nhn")
    due = lookups.due(conn, "sens", T0, 10)
    assert [row.id for row in due] == [first, later]
    assert due[0].lookups == 4
    assert [row.id for row in lookups.due(conn, "sens", T0, 1)] == [first]


def test_recorded_names_request_ids_another_batch_of_the_provider_holds(conn, rows):
    campaign = rows.campaign()
    mine = rows.batch(campaign, request_id="R-1")
    rows.batch(campaign, request_id="R-2")
    rows.batch(campaign, request_id="R-3", provider="nhn")
    rows.batch(campaign, request_id="R-4")  # not asked about
    rows.batch(campaign)  # holds no request yet
    assert lookups.recorded(conn, "sens", ["R-1", "R-2", "R-3"], but=mine) == {"R-2"}


def test_found_by_webhook_accepts_the_providers_unsure_batches_named(conn, rows, watch):
    campaign = rows.campaign()
    lookup = {"status": "unsure", "next_attempt_at": T0 + MIN}  # its lookup is due then
    claimed = rows.batch(campaign, claimed_at=T0 - MIN, **lookup)
    held = rows.batch(campaign, request_id="R-9", **lookup)
    rows.batch(campaign, status="unsure")  # not named
    other = rows.batch(campaign, status="unsure", provider="apiplex")
    planned = rows.batch(campaign, status="planned")
    with watch() as seen:
        named = [claimed, held, other, planned]
        assert lookups.found_by_webhook(conn, "sens", named, T0) == 2
    accepted = {"status": "accepted", "http_status": 202, "next_attempt_at": None}
    assert seen.diff == {
        ("batch", claimed): {**accepted, "request_id": f"echo:{claimed}", "sent_at": T0 - MIN},
        ("batch", held): {**accepted, "sent_at": T0},
    }
    assert lookups.found_by_webhook(conn, "sens", [], T0) == 0
