"""Queries on API keys: stored by hash only (the key itself is shown once, never kept)."""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from worker.db.models import ApiKey


def add(conn: Connection, name: str, digest: str, now: datetime) -> int:
    """Store a new key's hash under `name`; its id."""
    statement = insert(ApiKey).values(name=name, digest=digest, created_at=now)
    return int(conn.execute(statement.returning(ApiKey.id)).scalar_one())


def active(conn: Connection, digest: str) -> Any:
    """The key with this hash, unless revoked; None otherwise."""
    query = select(ApiKey.id, ApiKey.name).where(
        ApiKey.digest == digest, ApiKey.revoked_at.is_(None)
    )
    return conn.execute(query).first()


def revoke(conn: Connection, name: str, now: datetime) -> int:
    """Revoke every active key of `name`; how many."""
    statement = (
        update(ApiKey)
        .where(ApiKey.name == name, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return conn.execute(statement).rowcount


def listed(conn: Connection) -> list[Any]:
    """Every key: name, created, revoked (never the hash)."""
    query = select(ApiKey.name, ApiKey.created_at, ApiKey.revoked_at).order_by(ApiKey.id)
    return list(conn.execute(query))
