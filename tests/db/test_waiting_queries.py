"""What an open campaign waits for, read for that campaign alone."""

from tests.db.conftest import MIN, T0
from worker.db import waiting


def test_resends_open_batches_and_reservations_of_one_campaign(conn, rows):
    campaign, other = rows.campaign(), rows.campaign()
    rows.recipient(campaign, "01000000001", status="retry_wait", next_attempt_at=T0 + MIN)
    rows.recipient(campaign, "01000000002", status="retry_wait", next_attempt_at=T0)
    rows.recipient(other, "01000000003", status="retry_wait", next_attempt_at=T0 - MIN)
    assert waiting.resends(conn, campaign) == (2, T0)
    rows.batch(campaign, provider="sens", status="retry", next_attempt_at=T0 + MIN)
    rows.batch(campaign, provider="sens", status="retry", next_attempt_at=T0)
    rows.batch(campaign, provider="nhn", status="accepted")
    rows.batch(campaign, provider="nhn", status="completed")
    rows.batch(campaign, provider="apiplex", status="planned")
    rows.batch(other, provider="sens", status="retry", next_attempt_at=T0 - MIN)
    read = [tuple(row) for row in waiting.open_batches(conn, campaign)]
    assert read == [("apiplex", "planned", 1, None), ("nhn", "accepted", 1, None),
                    ("sens", "retry", 2, T0)]  # fmt: skip
    reserved = {"reserve_time": T0}
    rows.batch(campaign, status="accepted", reserve_status="READY", **reserved)
    rows.batch(campaign, status="accepted", **reserved)  # no status read yet
    rows.batch(campaign, status="rerouted", reserve_status="READY", **reserved)
    rows.batch(campaign, status="accepted", reserve_status="READY")  # not a reservation
    rows.batch(other, status="accepted", reserve_status="READY", **reserved)
    assert waiting.reservations(conn, campaign) == {"READY": 1, "unknown": 1}
