"""A cancelled campaign that still holds something sendable (a transient result that came back
after the cancel, a batch a lookup found absent) has it stopped; nothing else is touched."""

from sqlalchemy import select, update

from tests.services.conftest import numbers, planned
from worker.db import campaigns
from worker.db.models import Batch, Campaign, Recipient
from worker.services.cancelling import stop_leftovers


def _status(engine, campaign_id: int, status: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(Campaign).where(Campaign.id == campaign_id).values(status=status))


def test_what_a_cancelled_campaign_still_holds_is_stopped_once(engine, make_campaign) -> None:
    cancelled = make_campaign(numbers(150, start=40_000))
    retry_batch, accepted = planned(engine, cancelled)
    going = make_campaign(numbers(100, start=41_000))
    [its_batch] = planned(engine, going)
    with engine.begin() as conn:
        conn.execute(update(Batch).where(Batch.id.in_([retry_batch, its_batch]))
                     .values(status="retry"))  # a lookup found them absent  # fmt: skip
        # One of its members had a result written (settled): transient, to be sent again.
        conn.execute(update(Batch).where(Batch.id == accepted).values(status="accepted",
                                                                      settled=1))  # fmt: skip
        waiting = conn.execute(  # a transient result that came back after the cancel
            update(Recipient).where(Recipient.campaign_id == cancelled,
                                    Recipient.phone == numbers(1, start=40_140)[0])
            .values(status="retry_wait", batch_id=accepted).returning(Recipient.id)
        ).scalar_one()  # fmt: skip
    _status(engine, cancelled, "cancelled")
    another = make_campaign(numbers(20, start=42_000))
    planned(engine, another)
    _status(engine, another, "cancelled")
    # The retry batch's 100 and the waiting one; the accepted batch's others await results;
    # and the other cancelled campaign's planned 20.
    assert stop_leftovers(engine) == 121
    assert stop_leftovers(engine) == 0
    with engine.connect() as conn:
        counts = campaigns.status_counts(conn, cancelled)
        statuses = dict(conn.execute(select(Batch.id, Batch.status)
                                     .where(Batch.campaign_id != another)).all())  # fmt: skip
        waited = conn.execute(select(Recipient.status).where(Recipient.id == waiting)).scalar()
        theirs = campaigns.status_counts(conn, going)
    assert statuses == {retry_batch: "cancelled", accepted: "accepted", its_batch: "retry"}
    assert waited == "cancelled" and counts == {"cancelled": 101, "accepted": 49}
    with engine.connect() as conn:
        stamped = conn.execute(select(Recipient.completed_at.is_not(None)).where(
            Recipient.campaign_id == cancelled, Recipient.status == "cancelled"))  # fmt: skip
        assert set(stamped.scalars()) == {True}
        ended = select(Batch.completed_at).where(Batch.id == retry_batch)
        assert conn.execute(ended).scalar() is not None
    assert theirs == {"batched": 100}  # a retry batch's members read as batched
