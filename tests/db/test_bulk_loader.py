"""The PostgreSQL loader's writer thread: a chunk the database refuses fails the load, and
nothing of it is counted as landed (it must not vanish as if it had been stored)."""

import psycopg
import pytest

from worker.db.bulk import RecipientLoad, recipient_loader
from worker.db.engine import get_engine


def test_a_chunk_the_database_refuses_fails_the_load(db_url: str) -> None:
    load = RecipientLoad(campaign_id=1, width=1, phone=0, variables={})
    landed: list[object] = []
    with (
        pytest.raises(psycopg.errors.BadCopyFileFormat),
        recipient_loader(get_engine(db_url), load, landed.append) as loader,
    ):
        loader.write([("01012345678", "SMS", 1, "a column too many")])
    assert landed == []
