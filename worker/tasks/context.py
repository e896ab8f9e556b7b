"""Per-process resources the tasks share: settings, engine, provider clients, Redis."""

from functools import cache

import redis
from sqlalchemy import Engine

from config.names import PROVIDER_SENS
from config.settings import SensSettings, Settings, get_settings
from worker.db.engine import get_engine
from worker.providers.base import ProviderClient
from worker.providers.sens.client import SensClient


def settings() -> Settings:
    """The process settings."""
    return get_settings()


def engine() -> Engine:
    """The process engine for the configured database."""
    return get_engine(settings().database_url)


def provider_settings(provider: str) -> SensSettings:
    """The configured credentials, endpoint and limits of `provider`."""
    if provider == PROVIDER_SENS:
        return settings().sens
    raise LookupError(f"unknown provider {provider!r}")


@cache
def client(provider: str) -> ProviderClient:
    """One client per provider and process (it keeps its HTTP connections)."""
    return SensClient(provider_settings(provider))


@cache
def redis_client() -> redis.Redis:
    """The Redis connection used for locks and limits."""
    return redis.Redis.from_url(settings().redis_url)
