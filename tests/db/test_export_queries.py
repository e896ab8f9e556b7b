"""An export reads each recipient of the campaign as it stands, in id order."""

from sqlalchemy import Connection, update

from tests.db.conftest import MIN, T0, without_plan_order
from worker.db import exporting
from worker.db.exporting import Outcome
from worker.db.models import Recipient


def _read(conn: Connection, campaign: int) -> list[tuple]:
    return [(o.phone, o.status, o.provider, o.attempts, o.accepted_at)
            for o in exporting.outcomes(conn, campaign, per_fetch=2)]  # fmt: skip


def test_a_waiting_member_reads_as_the_range_batch_that_holds_it(conn, rows):
    campaign, other = rows.campaign(), rows.campaign()
    sent, held, unplanned, elsewhere = (
        rows.recipient(campaign, f"0100000000{n}") for n in range(4)
    )
    rows.batch(campaign, first_id=sent, last_id=sent, status="accepted", sent_at=T0)
    # Refused as a whole, its members not yet written: they still read pending, but sent once.
    rows.batch(campaign, first_id=held, last_id=held, status="rejected", provider="nhn")
    # Another campaign imported alongside: its range spans ids of this one's.
    rows.batch(other, first_id=unplanned, last_id=elsewhere, status="accepted")
    assert _read(conn, campaign) == [
        ("01000000000", "accepted", "sens", 1, T0),
        ("01000000001", "pending", "nhn", 1, None),
        ("01000000002", "pending", None, 0, None),
        ("01000000003", "pending", None, 0, None),
    ]


def test_a_listed_member_reads_as_its_own_batch(conn, rows):
    campaign = rows.campaign()
    accepted = rows.batch(campaign, status="accepted", provider="apiplex", sent_at=T0 + MIN)
    planned = rows.batch(campaign)
    cancelled = rows.batch(campaign, status="cancelled")  # its members are cancelled next
    for n, batch in enumerate((accepted, planned, cancelled)):
        rows.recipient(campaign, f"0100000000{n}", status="batched", batch_id=batch, attempts=2)
    assert _read(conn, campaign) == [
        ("01000000000", "accepted", "apiplex", 2, T0 + MIN),
        ("01000000001", "batched", "sens", 2, None),
        ("01000000002", "batched", "sens", 2, None),
    ]


def test_an_export_comes_in_id_order_with_each_result(conn, rows):
    campaign = rows.campaign()
    batch = rows.batch(campaign, status="completed", provider="nhn", sent_at=T0)
    result = {"status": "delivered", "result_code": "0", "result_family": "ok",
              "result_outcome": "delivered", "completed_at": T0 + MIN}  # fmt: skip
    first = rows.recipient(campaign, "01000000001", batch_id=batch, attempts=1,
                           variables={"n": "a"}, **result)  # fmt: skip
    rows.recipient(campaign, "01000000002", message_type="LMS")
    rows.recipient(rows.campaign(), "01000000003")
    # Written again, the first row is now stored after the second.
    conn.execute(update(Recipient).where(Recipient.id == first).values(phone="01000000001"))
    without_plan_order(conn)
    assert list(exporting.outcomes(conn, campaign)) == [
        Outcome("01000000001", "delivered", "nhn", "0", "ok", "delivered", 1, T0, T0 + MIN,
                {"n": "a"}, "SMS"),
        Outcome("01000000002", "pending", None, None, None, None, 0, None, None, None, "LMS"),
    ]  # fmt: skip
