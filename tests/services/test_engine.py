"""Pooled PostgreSQL connections: the idle ping leaves a connection fit for any checkout."""

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import NullPool

from worker.db import engine as engine_module
from worker.db.engine import autocommit


def test_a_connection_pinged_after_idling_can_be_checked_out_in_autocommit(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with engine.connect() as conn:  # into the pool, as a warmed-up process leaves it
        conn.exec_driver_sql("SELECT 1")
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    with autocommit(engine).connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
        assert conn.connection.dbapi_connection.autocommit


def test_a_pooled_connection_whose_server_process_ended_is_replaced_on_checkout(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine.pool.dispose()
    with engine.connect() as conn:  # the pool's only connection, as a restart would find it
        backend = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with create_engine(engine.url, poolclass=NullPool).connect() as admin:
        admin.exec_driver_sql(f"SELECT pg_terminate_backend({int(backend)})")
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != backend
