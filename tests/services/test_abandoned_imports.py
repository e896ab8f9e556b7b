"""An import whose producer died is stopped like a failed import; a slow one is left alone."""

import logging
import time
from datetime import timedelta

from sqlalchemy import Engine, select, update

from producer.heartbeat import Heartbeat
from tests.services.conftest import numbers
from worker.db import campaigns
from worker.db.models import Campaign
from worker.db.types import utcnow
from worker.services.release import stop_abandoned_imports

SILENCE = timedelta(minutes=2)


def _set(engine: Engine, campaign_id: int, **values: object) -> None:
    with engine.begin() as conn:
        conn.execute(update(Campaign).where(Campaign.id == campaign_id).values(**values))


def _campaign(engine: Engine, campaign_id: int):
    with engine.connect() as conn:
        return conn.execute(select(Campaign).where(Campaign.id == campaign_id)).one()


def test_the_heartbeat_stamps_while_the_import_runs_and_stops_after(engine, make_campaign) -> None:
    campaign_id = make_campaign(numbers(10))
    _set(engine, campaign_id, imported_at=None, import_alive_at=None)
    with Heartbeat(engine, campaign_id, every=0.05):
        first = _campaign(engine, campaign_id).import_alive_at  # stamped on entry
        assert first is not None
        later = _next_stamp(engine, campaign_id, first)
    stopped = _campaign(engine, campaign_id).import_alive_at  # the thread was joined
    time.sleep(0.2)  # four beats: none may stamp
    assert later > first and _campaign(engine, campaign_id).import_alive_at == stopped


def _next_stamp(engine: Engine, campaign_id: int, after: object):
    """The first stamp later than `after`, waited for (a starved thread may be late)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        stamp = _campaign(engine, campaign_id).import_alive_at
        if stamp > after:
            return stamp
        time.sleep(0.02)
    raise AssertionError("the heartbeat never stamped again")


def test_only_an_import_silent_past_the_limit_is_stopped(engine, make_campaign, caplog) -> None:
    dead, slow, done = (make_campaign(numbers(10, start=s)) for s in (100, 200, 300))
    long_ago = utcnow() - timedelta(minutes=10)
    _set(engine, dead, imported_at=None, import_alive_at=long_ago, status="dispatching")
    _set(engine, slow, imported_at=None, import_alive_at=utcnow(), status="dispatching")
    _set(engine, done, import_alive_at=long_ago, status="dispatching")  # its import ended
    cancels: list[int] = []
    with caplog.at_level(logging.WARNING, logger="worker.services.release"):
        assert stop_abandoned_imports(engine, SILENCE, cancels.extend) == 1
    assert cancels == [dead]
    assert f"imports of campaigns [{dead}] stopped: their producer went silent" in caplog.text
    assert [_campaign(engine, c).status for c in (dead, slow, done)] == [
        "cancelling",
        "dispatching",
        "dispatching",
    ]
    assert stop_abandoned_imports(engine, SILENCE, cancels.extend) == 0  # once


def test_two_sweeps_at_once_stop_a_dead_import_once(engine, make_campaign) -> None:
    import threading

    dead = make_campaign(numbers(10, start=400))
    _set(engine, dead, imported_at=None, import_alive_at=utcnow() - timedelta(hours=1),
         status="queued")  # fmt: skip
    cancels: list[int] = []
    start = threading.Barrier(2)

    def sweep() -> None:
        start.wait()
        stop_abandoned_imports(engine, SILENCE, cancels.extend)

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cancels == [dead]
    with engine.connect() as conn:
        assert campaigns.get(conn, dead).status == "cancelling"
