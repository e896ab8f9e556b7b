"""Queries on the suppression list: numbers never to message again."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, func, select

from worker.db.models import Suppression
from worker.db.upsert import insert_ignoring_conflicts


def add_many(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Add {phone, reason, source, created_at} rows; a number already listed keeps its entry."""
    if rows:
        conn.execute(insert_ignoring_conflicts(conn, Suppression), list(rows))


def add_new(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """add_many, returning how many of the numbers were not listed before."""
    phones = {row["phone"] for row in rows}
    if not phones:
        return 0
    new = len(phones - listed(conn, list(phones)))
    add_many(conn, rows)
    return new


def remove(conn: Connection, phones: Sequence[str]) -> set[str]:
    """Take the numbers off the list; those of them that were on it."""
    if not phones:
        return set()
    statement = delete(Suppression).where(Suppression.phone.in_(list(phones)))
    return set(conn.execute(statement.returning(Suppression.phone)).scalars())


def count(conn: Connection) -> int:
    """How many numbers are suppressed."""
    return int(conn.execute(select(func.count()).select_from(Suppression)).scalar_one())


def listed(conn: Connection, phones: Sequence[str]) -> set[str]:
    """Which of `phones` are suppressed."""
    query = select(Suppression.phone).where(Suppression.phone.in_(list(phones)))
    return set(conn.execute(query).scalars())


def newest(conn: Connection, limit: int, containing: str | None = None) -> list[Any]:
    """The latest entries first (phone, reason, source, created_at); with `containing`, only
    numbers holding those characters."""
    query = select(Suppression.phone, Suppression.reason, Suppression.source,
                   Suppression.created_at)  # fmt: skip
    if containing:
        escaped = containing.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Suppression.phone.like(f"%{escaped}%", escape="\\"))
    order = (Suppression.created_at.desc(), Suppression.id.desc())
    return list(conn.execute(query.order_by(*order).limit(limit)))
