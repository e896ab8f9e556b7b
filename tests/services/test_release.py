"""Beat's release of due batches: what it publishes, and how many a tick takes."""

from datetime import timedelta

from sqlalchemy import Engine, update

from tests.services.conftest import numbers, planned
from worker.db.models import Batch
from worker.db.types import utcnow
from worker.services import release
from worker.services.publishing import SendJob
from worker.services.release import release_due_batches


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
