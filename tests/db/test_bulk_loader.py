"""The PostgreSQL loader's writer thread: a chunk the database refuses fails the load, and
nothing of it is counted as landed (it must not vanish as if it had been stored); a failure
while chunks wait in the queue still ends the load instead of blocking the importer."""

import threading

import psycopg
import pytest
from sqlalchemy import func, select

from tests.db.conftest import Rows
from worker.db.bulk import Landed, RecipientLoad, recipient_loader
from worker.db.engine import get_engine
from worker.db.models import Recipient


def test_a_chunk_the_database_refuses_fails_the_load(db_url: str) -> None:
    load = RecipientLoad(campaign_id=1, width=1, phone=0, variables={})
    landed: list[object] = []
    with (
        pytest.raises(psycopg.errors.BadCopyFileFormat),
        recipient_loader(get_engine(db_url), load, landed.append) as loader,
    ):
        loader.write([("01012345678", "SMS", 1, "a column too many")])
    assert landed == []


def test_a_failure_while_the_queue_is_full_ends_the_load(db_url: str) -> None:
    engine = get_engine(db_url)
    with engine.begin() as conn:
        campaign = Rows(conn).campaign()
    load = RecipientLoad(campaign_id=campaign, width=1, phone=0, variables={})
    queue_full = threading.Event()
    raised: list[BaseException] = []

    def report(landed: Landed) -> None:  # runs on the writer thread, after each commit
        queue_full.wait(10)
        raise RuntimeError("progress could not be saved")

    def importer() -> None:
        try:
            with recipient_loader(engine, load, report) as loader:
                for seq, phone in enumerate(["01000000001", "01000000002", "01000000003"]):
                    loader.write([(phone, "SMS", seq)])
                # The third write returned, so the writer holds the first chunk and the
                # second and third fill the queue when it fails: it must keep draining.
                queue_full.set()
        except RuntimeError as exc:
            raised.append(exc)

    thread = threading.Thread(target=importer, daemon=True)
    thread.start()
    thread.join(20)
    assert not thread.is_alive(), "the import hung on a full queue after the writer failed"
    assert [str(exc) for exc in raised] == ["progress could not be saved"]
    with engine.connect() as conn:
        stored = conn.scalar(select(func.count()).where(Recipient.campaign_id == campaign))
    assert stored == 1  # the chunk committed before the failure, none after it
