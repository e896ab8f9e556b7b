"""The database engine, one per URL and process, tuned for SQLite or PostgreSQL."""

from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


@cache
def get_engine(url: str) -> Engine:
    """A pooled engine for `url`; SQLite files get WAL and a busy timeout for many workers."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def ensure_sqlite_directory(url: str) -> None:
    """Create the folder of a SQLite file URL (SQLite creates the file, not its folder)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_engine(url: str) -> Engine:
    ensure_sqlite_directory(url)
    engine = create_engine(url, connect_args={"timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run while one worker writes; busy_timeout waits out lock contention.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def is_postgres(engine: Engine) -> bool:
    """True on PostgreSQL, where COPY and other bulk paths are available."""
    return engine.dialect.name == "postgresql"
