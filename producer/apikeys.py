"""API keys of the HTTP API: made here, shown once, kept as a hash, checked per request."""

import hashlib
import secrets

from sqlalchemy import Engine

from worker.db import apikeys
from worker.db.types import utcnow

PREFIX = "bsk_"  # so a leaked key is recognisable in a log or a repository scan


def digest(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(engine: Engine, name: str) -> str:
    """A new key for `name`, stored by its hash; the key itself, to show once."""
    key = PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        apikeys.add(conn, name, digest(key), utcnow())
    return key


def key_name(engine: Engine, key: str) -> str | None:
    """The name of an active key, or None (unknown or revoked)."""
    if not key.startswith(PREFIX):
        return None
    with engine.connect() as conn:
        found = apikeys.active(conn, digest(key))
    return None if found is None else str(found.name)


def revoke_key(engine: Engine, name: str) -> int:
    """Revoke the keys of `name`; how many were active."""
    with engine.begin() as conn:
        return apikeys.revoke(conn, name, utcnow())
