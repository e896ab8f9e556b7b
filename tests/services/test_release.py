"""Beat's release of due batches: what it publishes, how many a tick takes, lapsed leases."""

from datetime import timedelta

from sqlalchemy import Engine, select, update

from tests.services.conftest import numbers, planned
from worker.db import batches, lookups
from worker.db.models import Batch
from worker.db.types import utcnow
from worker.services import release
from worker.services.publishing import SendJob
from worker.services.release import hand_lapsed_to_lookup, release_due_batches


def _retry_due(engine: Engine, batch_ids: list[int]) -> None:
    """The batches wait for a retry whose time came."""
    with engine.begin() as conn:
        conn.execute(
            update(Batch)
            .where(Batch.id.in_(batch_ids))
            .values(status="retry", next_attempt_at=utcnow() - timedelta(seconds=1))
        )


def _release(engine: Engine) -> list[SendJob]:
    published: list[SendJob] = []
    release_due_batches(engine, timedelta(hours=1), published.extend)
    return published


def test_a_released_batch_is_published_without_size_so_its_task_reads_it(
    engine, make_campaign
) -> None:
    batch_ids = planned(engine, make_campaign(numbers(150, start=1_000)))
    _retry_due(engine, batch_ids)
    # A job naming a size is not read again: the limiter would be charged that size under
    # the job's sender, so a release names neither and the task reads both from the batch.
    assert sorted((job.batch_id, job.recipients) for job in _release(engine)) == [
        (batch_ids[0], 0), (batch_ids[1], 0)]  # fmt: skip


def test_a_tick_releases_at_most_its_limit(engine, make_campaign, monkeypatch) -> None:
    batch_ids = planned(engine, make_campaign(numbers(150, start=2_000)))
    _retry_due(engine, batch_ids)
    monkeypatch.setattr(release, "RELEASE_LIMIT", 1)
    assert len(_release(engine)) == 1
    assert len(_release(engine)) == 1  # the other on the next tick
    assert _release(engine) == []


def test_a_lapsed_send_is_looked_up_only_after_the_lookup_delay(engine, make_campaign) -> None:
    [batch_id] = planned(engine, make_campaign(numbers(100, start=3_000)))
    with engine.begin() as conn:  # a worker claims the batch and dies mid-send
        assert batches.claim(conn, batch_id, utcnow(), timedelta(seconds=-1)) is not None
    before = utcnow()
    assert hand_lapsed_to_lookup(engine, timedelta(seconds=60)) == 1
    after = utcnow()
    with engine.connect() as conn:
        status, due, provider = conn.execute(
            select(Batch.status, Batch.next_attempt_at, Batch.provider).where(Batch.id == batch_id)
        ).one()
        # The delay outlasts the call's timeouts and the provider's listing delay: a lookup
        # now could miss a request still arriving, and the batch would be sent twice.
        assert lookups.due(conn, provider, after, 10) == []
    assert status == "unsure"
    assert before + timedelta(seconds=60) <= due <= after + timedelta(seconds=60)
