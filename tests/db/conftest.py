"""Query tests: one migrated schema per module, each test in a transaction rolled back after it,
rows made directly, and every change a query made read back as a diff of the tables."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Table, insert, select, text

from tests.conftest import fresh_schema
from worker.db import migrate
from worker.db.engine import get_engine
from worker.db.models import (
    ApiKey,
    Batch,
    Campaign,
    DeliveryAttempt,
    InboxEvent,
    PollRound,
    ProviderFile,
    Recipient,
    Suppression,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)

# The columns a row needs, per table; a test names only what it cares about.
_DEFAULTS: dict[str, dict[str, Any]] = {
    "campaign": {"name": "c", "provider": "sens", "message_type": "SMS", "content_type": "COMM",
                 "night_consent": False, "sender": "0212345678", "template": "hi",
                 "country_code": "82", "status": "dispatching", "total_recipients": 0,
                 "created_at": T0},
    "batch": {"provider": "sens", "message_type": "SMS", "attempt": 1, "status": "planned",
              "recipient_count": 1, "settled": 0, "send_attempts": 0, "lookups": 0,
              "poll_count": 0, "created_at": T0},
    "recipient": {"message_type": "SMS", "status": "pending", "attempts": 0},
    "inbox_event": {"provider": "nhn", "received_at": T0, "body": "{}", "state": "new"},
    "suppression": {"reason": "opt-out", "source": "cli", "created_at": T0},
    "delivery_attempt": {"provider": "sens", "attempt": 1, "code": "0", "family": "",
                         "outcome": "delivered"},
    "poll_round": {"provider": "sens", "mode": "sweep", "started_at": T0},
    "api_key": {"created_at": T0},
    "provider_file": {"provider": "sens", "uploaded_at": T0},
}  # fmt: skip
_TABLES: dict[str, Table] = {
    model.__tablename__: model.__table__  # type: ignore[misc]
    for model in (Campaign, Batch, Recipient, InboxEvent, Suppression, DeliveryAttempt,
                  PollRound, ApiKey, ProviderFile)
}  # fmt: skip


@pytest.fixture(scope="module")
def db_url() -> Iterator[str]:
    """One migrated schema for the module's tests (each rolls its rows back)."""
    with fresh_schema() as url:
        yield url


@pytest.fixture()
def conn(db_url: str) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with _rolled_back(db_url) as connection:
        yield connection


@pytest.fixture(params=["postgresql", "sqlite"])
def any_db(request: pytest.FixtureRequest, db_url: str, tmp_path: Path) -> Iterator[Connection]:
    """`conn`, then the same on a migrated SQLite file: a query whose SQL differs by database
    (or whose meaning does, as LIKE's escape) is tested on both."""
    url = db_url
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'bulksms.db'}"
        migrate.upgrade(url)
    with _rolled_back(url) as connection:
        yield connection


@contextmanager
def _rolled_back(url: str) -> Iterator[Connection]:
    with get_engine(url).connect() as connection:
        transaction = connection.begin()
        try:
            yield connection
        finally:
            transaction.rollback()


def without_plan_order(conn: Connection) -> None:
    """For this transaction on PostgreSQL, read tables in stored order and group by hashing,
    as the planner may choose on large tables: rows then come in order only by ORDER BY."""
    for setting in ("enable_indexscan", "enable_indexonlyscan", "enable_bitmapscan", "enable_sort"):
        conn.execute(text(f"SET LOCAL {setting} = off"))


class Rows:
    """Makes rows with the columns a test names and defaults for the rest; their ids."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, table: str, **values: Any) -> Any:
        row = {**_DEFAULTS[table], **values}
        statement = insert(_TABLES[table]).values(row).returning(*_key_columns(table))
        return _key(self.conn.execute(statement).one())

    def campaign(self, **values: Any) -> int:
        return self.add("campaign", **values)

    def batch(self, campaign_id: int, **values: Any) -> int:
        return self.add("batch", campaign_id=campaign_id, **values)

    def recipient(self, campaign_id: int, phone: str, **values: Any) -> int:
        return self.add("recipient", campaign_id=campaign_id, phone=phone, **values)


@pytest.fixture()
def rows(conn: Connection) -> Rows:
    return Rows(conn)


Snapshot = dict[tuple[str, Any], dict[str, Any]]


def snapshot(conn: Connection) -> Snapshot:
    """Every row of the tables queries change, by (table, key)."""
    taken: Snapshot = {}
    for name, table in _TABLES.items():
        columns = [column.name for column in _key_columns(name)]
        for row in conn.execute(select(table)).mappings():
            taken[(name, _key([row[c] for c in columns]))] = dict(row)
    return taken


def _key_columns(table: str) -> list[Any]:
    """What names a row in a snapshot: the phone of a suppression, else the primary key."""
    if table == "suppression":
        return [_TABLES[table].c.phone]
    return list(_TABLES[table].primary_key.columns)


def _key(values: Any) -> Any:
    values = tuple(values)
    return values[0] if len(values) == 1 else values


def changes(before: Snapshot, after: Snapshot) -> dict[tuple[str, Any], dict[str, Any]]:
    """{(table, key): {column: new value}} for every row whose columns changed; a row added or
    removed maps to "added" or "removed"."""
    diff: dict[tuple[str, Any], Any] = {}
    for key in before.keys() | after.keys():
        if key not in after:
            diff[key] = "removed"
        elif key not in before:
            diff[key] = "added"
        else:
            changed = {c: v for c, v in after[key].items() if before[key][c] != v}
            if changed:
                diff[key] = changed
    return diff


class Watch:
    """Snapshots around a call: `with watch() as seen: call()`, then `seen.diff`."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.diff: dict[tuple[str, Any], Any] = {}

    def __enter__(self) -> "Watch":
        self.before = snapshot(self.conn)
        return self

    def __exit__(self, *exc: object) -> None:
        self.diff = changes(self.before, snapshot(self.conn))


@pytest.fixture()
def watch(conn: Connection) -> Any:
    return lambda: Watch(conn)
