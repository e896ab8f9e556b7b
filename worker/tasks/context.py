"""Per-process resources the tasks share: settings, engine, provider clients, Redis."""

from functools import cache

import redis
from sqlalchemy import Engine

from config import providers
from config.provider_settings import ProviderSettings
from config.settings import Settings, get_settings
from worker.db.engine import get_engine
from worker.health.breaker import Breaker
from worker.health.rules import BreakerPolicy, BreakerState
from worker.providers.base import ProviderClient
from worker.providers.factory import make_client


def settings() -> Settings:
    """The process settings."""
    return get_settings()


def engine() -> Engine:
    """The process engine for the configured database."""
    return get_engine(settings().database_url)


def provider_settings(provider: str) -> ProviderSettings:
    """The configured credentials, endpoint and limits of `provider`."""
    return providers.settings_of(settings(), provider)


def batch_size(provider: str) -> int:
    """Recipients per request for `provider` (its setting, at most its largest batch)."""
    return providers.batch_size(settings(), provider)


@cache
def client(provider: str) -> ProviderClient:
    """One client per provider and process (it keeps its HTTP connections)."""
    return make_client(settings(), provider)


@cache
def redis_client() -> redis.Redis:
    """The Redis connection used for locks and limits."""
    return redis.Redis.from_url(settings().redis_url)


def warm() -> None:
    """Open what the first task would otherwise open: a database connection, Redis and each
    offered provider's client. A pool process did this inside its first task, and four of
    them at once on two cores held the first sends of a campaign back by 0.4 s."""
    with engine().connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    redis_client().ping()
    for entry in providers.offered(settings()):
        client(entry.name)


@cache
def breaker(provider: str) -> Breaker:
    """The provider's health breaker, shared with every worker through Redis."""
    policy = BreakerPolicy.from_settings(settings().breaker)
    return Breaker(redis_client(), provider, policy)


def healthy(provider: str) -> bool:
    """True while the provider's breaker is closed: new work may be routed to it."""
    return breaker(provider).health().state is BreakerState.CLOSED


def route_order() -> list[str]:
    """Offered providers in the order `auto` campaigns prefer them."""
    return providers.route_order(settings())
