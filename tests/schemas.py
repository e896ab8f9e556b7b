"""Migrated PostgreSQL schemas for tests: alembic runs once per process, each schema after that
is made from its DDL in one round trip."""

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from urllib.parse import quote

from sqlalchemy import NullPool, create_engine, make_url, text

from worker.db import migrate
from worker.db.engine import get_engine

# The name the DDL carries in place of a schema's own.
PLACEHOLDER = "t_tmpl_placeholder_"
# pg_dump lines that are not DDL of the schema's objects (settings, psql meta-commands).
_SKIPPED = ("--", "\\", "SET ", "SELECT pg_catalog.set_config", "CREATE SCHEMA ")


@contextmanager
def fresh_schema(admin_url: str) -> Iterator[str]:
    """A URL whose connections use a new migrated schema, dropped afterwards."""
    ddl = migrated_ddl(admin_url)
    with empty_schema(admin_url) as (url, schema):
        if ddl:
            with create_engine(admin_url, poolclass=NullPool).begin() as conn:
                conn.exec_driver_sql(ddl.replace(PLACEHOLDER, schema))
        else:
            migrate.upgrade(url)
        yield url


@contextmanager
def empty_schema(admin_url: str) -> Iterator[tuple[str, str]]:
    """(URL whose connections use it, name) of a new empty schema, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{admin_url}?options={quote(f'-csearch_path={schema}')}"
    try:
        yield url, schema
    finally:
        get_engine(url).dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@cache
def migrated_ddl(admin_url: str) -> str | None:
    """The DDL and alembic version of a schema migrated to head, its name as PLACEHOLDER; None
    without a pg_dump that can read the server (each schema is then migrated by alembic).

    Alembic took most of a service test's set-up (about 0.7 s a schema); the DDL takes 0.05 s.
    """
    if shutil.which("pg_dump") is None:
        return None
    with empty_schema(admin_url) as (url, template):
        migrate.upgrade(url)
        with get_engine(url).connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        dumped = _dump(admin_url, template)
    insert = f"INSERT INTO {PLACEHOLDER}.alembic_version VALUES ('{version}');"
    if dumped is None:
        return None
    kept = [line for line in dumped.splitlines() if not line.startswith(_SKIPPED)]
    return "\n".join([*kept, insert]).replace(template, PLACEHOLDER)


def _dump(admin_url: str, schema: str) -> str | None:
    """pg_dump's DDL of one schema, or None when it fails (a client older than the server)."""
    url = make_url(admin_url)
    command = ["pg_dump", "--schema-only", "--no-owner", "--no-privileges", "-n", schema,
               "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432),
               "-U", url.username or "postgres", "-d", url.database or "postgres"]  # fmt: skip
    env = {**os.environ, "PGPASSWORD": url.password} if url.password else None
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    return done.stdout if done.returncode == 0 else None
