"""Fixtures for limiter tests: Redis db 14 (not the integration tests' 15) and a limiter on it."""

import os

import pytest
import redis

from tests.isolation import redis_test_url
from worker.ratelimit.limiter import RedisLimiter

LIMITER_REDIS_URL = os.environ.get("BULKSMS_LIMITER_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def limiter_redis_url() -> str:
    """LIMITER_REDIS_URL, or under mutation testing this process's own database."""
    return redis_test_url(LIMITER_REDIS_URL)


@pytest.fixture()
def limiter_redis() -> redis.Redis:
    """A client of the limiter tests' own Redis database, emptied first."""
    client = redis.Redis.from_url(limiter_redis_url())
    client.flushdb()
    return client


@pytest.fixture()
def limiter(limiter_redis: redis.Redis) -> RedisLimiter:
    """The Redis backend on that database."""
    return RedisLimiter(limiter_redis)
