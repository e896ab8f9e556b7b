"""Timestamps read back as aware UTC on a host or in a session outside UTC (a server set to
Asia/Seoul): SQLite hands back the stored UTC wall time without a zone, PostgreSQL the instant
in the session's zone."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from worker.db.types import UTCDateTime

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture()
def host_in_seoul(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Seoul")
    time.tzset()
    yield
    monkeypatch.undo()  # before tzset: the C library must read the host's TZ again
    time.tzset()


def _read(value: datetime, dialect: object) -> datetime | None:
    return UTCDateTime().process_result_value(value, dialect)  # type: ignore[arg-type]


def test_a_naive_value_is_the_stored_utc_time_not_the_hosts(host_in_seoul: None) -> None:
    read = _read(T0.replace(tzinfo=None), sqlite.dialect())
    assert read == T0
    assert read is not None and read.utcoffset() == timedelta(0)


def test_a_value_in_the_sessions_zone_is_the_same_instant_in_utc(host_in_seoul: None) -> None:
    in_seoul = T0.astimezone(timezone(timedelta(hours=9)))
    read = _read(in_seoul, postgresql.dialect())
    assert read == T0
    assert read is not None and read.utcoffset() == timedelta(0)
