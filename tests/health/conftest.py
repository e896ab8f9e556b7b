"""Fixtures for breaker tests: Redis db 8 (no other test's), a clock the tests move, breakers."""

import os
from collections.abc import Callable, Iterator

import pytest
import redis

from config.settings import BreakerSettings
from tests.isolation import redis_test_url
from worker.health.breaker import Breaker
from worker.health.rules import BreakerPolicy

BREAKER_REDIS_URL = os.environ.get("BULKSMS_BREAKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/8")
T0 = 1_700_000_000.0


def breaker_redis_url() -> str:
    """BREAKER_REDIS_URL, or under mutation testing this process's own database."""
    return redis_test_url(BREAKER_REDIS_URL)


class Clock:
    """Epoch seconds that move only when a test says so; every breaker of a test shares one."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def policy(**settings: object) -> BreakerPolicy:
    """A policy from settings, with small numbers unless a test says otherwise."""
    values = {"errors_to_open": 3, "probe_lease_seconds": 20.0, **settings}
    return BreakerPolicy.from_settings(BreakerSettings(**values))


@pytest.fixture()
def breaker_redis() -> redis.Redis:
    """A client of the breaker tests' own Redis database, emptied first."""
    client = redis.Redis.from_url(breaker_redis_url())
    client.flushdb()
    return client


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def worker(breaker_redis: redis.Redis, clock: Clock) -> Iterator[Callable[..., Breaker]]:
    """A breaker as one more worker process holds it: its own Redis client, the shared clock."""
    clients: list[redis.Redis] = []

    def make(provider: str = "sens", **settings: object) -> Breaker:
        clients.append(redis.Redis.from_url(breaker_redis_url()))
        return Breaker(clients[-1], provider, policy(**settings), clock=clock)

    yield make
    for client in clients:
        client.close()
