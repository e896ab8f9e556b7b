"""Pause and resume in the database (real PostgreSQL): one guarded UPDATE each; a paused
campaign's batches are never claimed nor released; resume hands them back to the release."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from producer.controls import NotPausable, pause_campaign, resume_campaign
from scripts.simulated import simulated_settings
from tests.services.conftest import numbers
from worker.db import batches, campaigns
from worker.db.models import Batch
from worker.db.types import utcnow
from worker.services.planning import plan_campaign


def _planned(engine: Engine, make_campaign) -> tuple[int, list[int]]:
    campaign_id = make_campaign(numbers(300), provider="sens")
    published: list = []
    plan_campaign(engine, campaign_id, lambda _: 100, timedelta(hours=1), published.extend)
    return campaign_id, [job.batch_id for job in published]


def _status(engine: Engine, campaign_id: int) -> str:
    with engine.connect() as conn:
        return str(campaigns.get(conn, campaign_id).status)


def test_a_paused_campaign_is_never_claimed_nor_released_and_resumes_where_it_was(
    engine: Engine, make_campaign, pg_url: str
) -> None:
    settings = simulated_settings(database_url=pg_url, broker_url="memory://")
    campaign_id, ids = _planned(engine, make_campaign)
    pause_campaign(campaign_id, settings)
    now = utcnow()
    with engine.begin() as conn:
        assert batches.claim(conn, ids[0], now, timedelta(minutes=2)) is None
        assert batches.release_due(conn, now + timedelta(hours=2), timedelta(0), 100,
                                   ["sens"]) == []  # fmt: skip
    assert resume_campaign(campaign_id, settings) == "dispatching"
    with engine.connect() as conn:
        states = set(conn.execute(select(Batch.status).where(Batch.campaign_id == campaign_id)))
    assert states == {("retry",)}  # due now: the next release tick publishes them
    with engine.begin() as conn:
        released = batches.release_due(conn, utcnow(), timedelta(seconds=30), 100, [])
        assert sorted(row.id for row in released) == sorted(ids)
        assert batches.claim(conn, ids[0], utcnow(), timedelta(minutes=2)) is not None


def test_two_pauses_at_once_move_it_once_and_only_open_campaigns_pause(
    engine: Engine, make_campaign, pg_url: str
) -> None:
    settings = simulated_settings(database_url=pg_url, broker_url="memory://")
    campaign_id, _ = _planned(engine, make_campaign)
    outcomes: list[str] = []

    def pause() -> None:
        try:
            pause_campaign(campaign_id, settings)
            outcomes.append("paused")
        except NotPausable:
            outcomes.append("refused")

    threads = [threading.Thread(target=pause) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["paused", "refused"]
    with engine.connect() as conn:
        row = campaigns.get(conn, campaign_id)
    assert (row.status, row.paused_from) == ("paused", "dispatching")
    resume_campaign(campaign_id, settings)
    with pytest.raises(NotPausable, match="not paused"):
        resume_campaign(campaign_id, settings)
    assert _status(engine, campaign_id) == "dispatching"
