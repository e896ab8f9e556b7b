"""The /metrics queries: each provider's sends and result latencies, from the rows they name."""

from datetime import datetime, timedelta

import pytest

from tests.db.conftest import MIN, T0, Rows
from worker.db import metrics
from worker.db.metrics import SendTotals

SEC = timedelta(seconds=1)


def test_send_totals_count_each_providers_requests_by_their_answer(conn, rows):
    campaign = rows.campaign()
    rows.batch(campaign, status="accepted", sent_at=T0, recipient_count=10, settled=4)
    rows.batch(campaign, status="completed", sent_at=T0, recipient_count=5, settled=5)
    rows.batch(campaign, status="rejected", recipient_count=3)
    rows.batch(campaign, status="planned", recipient_count=100)
    rows.batch(campaign, provider="nhn", status="accepted", sent_at=T0, recipient_count=2)
    # A taken request's results: one refused in the send answer (no completion time), one
    # reported later.
    taken = {"campaign_id": campaign, "batch_id": 0}
    rows.add("delivery_attempt", phone="01000000001", outcome="failed", **taken)
    rows.add("delivery_attempt", phone="01000000002", completed_at=T0, **taken)
    read = sorted(metrics.send_totals(conn), key=lambda totals: totals.provider)
    assert read == [SendTotals("nhn", 2, 0, 0, 2), SendTotals("sens", 15, 3, 1, 6)]


def _result(rows: Rows, batch: int, phone: str, at: datetime) -> None:
    """A provider's result for `phone` in `batch`, completed `at` (by the provider's clock)."""
    rows.add("delivery_attempt", campaign_id=0, batch_id=batch, phone=phone, completed_at=at)


def test_result_latencies_read_the_results_since_of_batches_open_then(any_db):
    rows = Rows(any_db)
    campaign = rows.campaign()
    # Open: its result at the window's first instant counts, one before it does not.
    still_open = rows.batch(campaign, status="accepted", sent_at=T0 - 3 * SEC)
    _result(rows, still_open, "01000000001", T0)
    _result(rows, still_open, "01000000002", T0 - SEC)
    # Completed at the window's first instant: still read; its result took 0 s.
    just_done = rows.batch(campaign, status="completed", sent_at=T0, completed_at=T0)
    _result(rows, just_done, "01000000003", T0)
    # Completed before the window: left out, though the provider's clock put a result in it.
    done_before = rows.batch(campaign, status="completed", sent_at=T0 - MIN,
                             completed_at=T0 - SEC)  # fmt: skip
    _result(rows, done_before, "01000000004", T0)
    never_sent = rows.batch(campaign, status="unsure")  # no send time: no latency
    _result(rows, never_sent, "01000000005", T0 + SEC)
    # The provider's result reads before our send: 0 s, so that provider's total is 0.
    early = rows.batch(campaign, provider="nhn", status="accepted", sent_at=T0 + 5 * SEC)
    _result(rows, early, "01000000006", T0 + 2 * SEC)
    read = {row.provider: row for row in metrics.result_latencies(any_db, T0, (0.0, 5.0))}
    assert sorted(read) == ["nhn", "sens"]
    sens, nhn = read["sens"], read["nhn"]
    assert (sens.at_most, sens.count) == ((1, 2), 2)
    assert sens.total_seconds == pytest.approx(3.0, abs=0.01)
    assert (nhn.at_most, nhn.count, nhn.total_seconds) == ((1, 1), 1, 0.0)


def test_result_latencies_read_a_long_wait_to_the_second(any_db):
    rows = Rows(any_db)
    batch = rows.batch(rows.campaign(), status="accepted", sent_at=T0 - timedelta(hours=1))
    _result(rows, batch, "01000000001", T0)
    [sens] = metrics.result_latencies(any_db, T0, (3599.0, 3600.5))
    assert (sens.at_most, sens.count) == ((0, 1), 1)
    assert sens.total_seconds == pytest.approx(3600.0, abs=0.01)
