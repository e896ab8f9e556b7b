"""Shared fixtures: a private PostgreSQL schema, Redis database and RabbitMQ virtual host for
this test run."""

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
import redis
from sqlalchemy import Engine, NullPool, create_engine

from scripts.catalogs import vacuum_catalogs
from tests import schemas
from tests.envvars import settings_env
from tests.isolation import isolate_forked_children, redis_test_url
from worker.db.engine import get_engine

PG_ADMIN_URL = os.environ.get(
    "BULKSMS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_TEST_URL = os.environ.get("BULKSMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# A broker no worker reads, for tests that count what the producer queued (db 15 is the
# integration stack's).
BROKER_REDIS_URL = os.environ.get("BULKSMS_TEST_BROKER_REDIS_URL", "redis://127.0.0.1:6379/10")
# Without a virtual host: each run adds one of its own.
RABBITMQ_TEST_URL = os.environ.get("BULKSMS_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672")

isolate_forked_children()


def broker_redis_url() -> str:
    """BROKER_REDIS_URL, or under mutation testing this process's own database."""
    return redis_test_url(BROKER_REDIS_URL)


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A URL whose connections use a new migrated schema, dropped afterwards."""
    with schemas.fresh_schema(PG_ADMIN_URL) as url:
        yield url


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """The session's schema, shared by the integration tests and the processes they start."""
    admin = create_engine(PG_ADMIN_URL, poolclass=NullPool)
    vacuum_catalogs(admin)  # earlier runs' schemas slow every catalog lookup otherwise
    admin.dispose()
    with fresh_schema() as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis database of its own, emptied before the run."""
    url = redis_test_url(REDIS_TEST_URL)
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture(scope="session")
def rabbitmq_url() -> Iterator[str]:
    """A RabbitMQ virtual host of this run's own, deleted afterwards: no queue, message or
    binding of another run (or of `make up`) can reach this one. Without rabbitmqctl, the
    default virtual host (the tests purge their queues before they start workers)."""
    if shutil.which("rabbitmqctl") is None:
        yield f"{RABBITMQ_TEST_URL}//"
        return
    vhost = f"bulksms-test-{uuid.uuid4().hex[:12]}"
    user = urlsplit(RABBITMQ_TEST_URL).username or "guest"
    _rabbitmqctl("add_vhost", vhost)
    try:
        _rabbitmqctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
        yield f"{RABBITMQ_TEST_URL}/{vhost}"
    finally:
        _rabbitmqctl("delete_vhost", vhost)


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def app_env(pg_url: str, redis_url: str) -> Iterator[dict[str, str]]:
    """BULKSMS_* variables pointing this process and its children at the test stores."""
    values = {
        "BULKSMS_DATABASE_URL": pg_url,
        "BULKSMS_BROKER_URL": redis_url,
        "BULKSMS_REDIS_URL": redis_url,
    }
    with settings_env(values):
        yield values


@pytest.fixture()
def engine(pg_url: str) -> Engine:
    """The engine of the test schema."""
    return get_engine(pg_url)
