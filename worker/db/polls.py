"""Queries on polling state: the sweep watermark per provider and the record of rounds."""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from worker.db.models import PollRound, PollWatermark
from worker.db.upsert import insert_ignoring_conflicts


def watermark(conn: Connection, provider: str) -> datetime | None:
    """Up to when the provider's results have been swept, or None before the first sweep."""
    query = select(PollWatermark.complete_until).where(PollWatermark.provider == provider)
    return conn.execute(query).scalar()


def advance(conn: Connection, provider: str, old: datetime | None, new: datetime) -> bool:
    """Move the watermark from `old` to `new`; False if another poller moved it meanwhile."""
    if old is None:
        row = {"provider": provider, "complete_until": new, "updated_at": new}
        # A row comes back only if it was inserted: psycopg reports an INSERT's rowcount as -1.
        statement = insert_ignoring_conflicts(conn, PollWatermark).values(row)
        return conn.execute(statement.returning(PollWatermark.provider)).first() is not None
    result = conn.execute(
        update(PollWatermark)
        .where(PollWatermark.provider == provider, PollWatermark.complete_until == old)
        .values(complete_until=new, updated_at=new)
    )
    return result.rowcount == 1


def record_round(conn: Connection, **fields: Any) -> None:
    """Keep what one polling round did and cost."""
    conn.execute(insert(PollRound).values(**fields))


def recent_rounds(conn: Connection, provider: str, limit: int = 20) -> list[Any]:
    """The latest rounds of a provider, newest first."""
    query = (
        select(PollRound)
        .where(PollRound.provider == provider)
        .order_by(PollRound.id.desc())
        .limit(limit)
    )
    return list(conn.execute(query))
