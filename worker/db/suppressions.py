"""Queries on the suppression list: numbers never to message again."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, select

from worker.db.models import Suppression
from worker.db.upsert import insert_ignoring_conflicts


def add_many(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Add {phone, reason, source, created_at} rows; a number already listed keeps its entry."""
    if rows:
        conn.execute(insert_ignoring_conflicts(conn, Suppression), list(rows))


def count(conn: Connection) -> int:
    """How many numbers are suppressed."""
    return int(conn.execute(select(func.count()).select_from(Suppression)).scalar_one())


def listed(conn: Connection, phones: Sequence[str]) -> set[str]:
    """Which of `phones` are suppressed."""
    query = select(Suppression.phone).where(Suppression.phone.in_(list(phones)))
    return set(conn.execute(query).scalars())
