"""The database engine, one per URL and process, tuned for SQLite or PostgreSQL."""

import time
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url

# A pooled connection idle longer than this is pinged before use (the server may have
# dropped it); one used more recently is trusted. A ping on every checkout cost a round
# trip per transaction, about a sixth of a send task's round trips.
PING_AFTER_IDLE_SECONDS = 2.0


@cache
def get_engine(url: str) -> Engine:
    """A pooled engine for `url`; SQLite files get WAL and a busy timeout for many workers."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    engine = create_engine(url, pool_size=5, max_overflow=5)
    event.listen(engine, "checkin", _note_checkin)
    event.listen(engine, "checkout", _ping_if_idle)
    return engine


def _note_checkin(dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info["checked_in"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Pessimistic disconnect handling for idle connections: the pool retries on a new one."""
    idle_since = record.info.get("checked_in")
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
        return  # new (just connected) or busy a moment ago
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        # The ping opened a transaction on a non-autocommit DBAPI connection; left open, it
        # forbids the isolation level (AUTOCOMMIT) the checkout is about to set.
        dbapi_connection.rollback()
    except Exception as error:
        raise exc.DisconnectionError(f"pooled connection is gone: {error}") from error


def ensure_sqlite_directory(url: str) -> None:
    """Create the folder of a SQLite file URL (SQLite creates the file, not its folder)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_engine(url: str) -> Engine:
    # The folder is not created here: `bulksms db upgrade` (migrate.upgrade) makes it, and a
    # folder that is missing afterwards means a wrong URL, not a database to start afresh.
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


@cache
def autocommit(engine: Engine) -> Engine:
    """`engine` whose connections commit each statement on its own: for the hot paths made of
    single guarded statements, no BEGIN and COMMIT round trips around them."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")
