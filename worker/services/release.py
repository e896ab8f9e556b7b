"""Publish batches whose send is due: retry waits that ended, and planned ones never claimed."""

from datetime import timedelta

from sqlalchemy import Engine

from worker.db import batches
from worker.db.types import utcnow
from worker.services.publishing import Publish

RELEASE_LIMIT = 1000


def release_due_batches(engine: Engine, regrace: timedelta, publish: Publish) -> int:
    """Move due batches to planned and publish them; returns how many."""
    with engine.begin() as conn:
        due = batches.release_due(conn, utcnow(), regrace, RELEASE_LIMIT)
    publish([(row.id, row.provider) for row in due])
    return len(due)
