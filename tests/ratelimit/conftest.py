"""Fixtures for limiter tests: Redis db 14 (not the integration tests' 15) and a limiter on it."""

import os

import pytest
import redis

from worker.ratelimit.limiter import RedisLimiter

LIMITER_REDIS_URL = os.environ.get("BULKSMS_LIMITER_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture()
def limiter_redis() -> redis.Redis:
    """A client of the limiter tests' own Redis database, emptied first."""
    client = redis.Redis.from_url(LIMITER_REDIS_URL)
    client.flushdb()
    return client


@pytest.fixture()
def limiter(limiter_redis: redis.Redis) -> RedisLimiter:
    """The Redis backend on that database."""
    return RedisLimiter(limiter_redis)
