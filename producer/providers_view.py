"""`bulksms providers`: each provider's health breaker and why, its rate and its queue."""

import time

import redis
from rich.console import Console
from rich.table import Table

from config import providers
from config.broker import queue_depths
from config.settings import Settings, get_settings
from worker.health.breaker import read_health
from worker.health.rules import BreakerPolicy, BreakerState, Health
from worker.ratelimit.keys import LimitKeys
from worker.ratelimit.policy import LimitPolicy
from worker.ratelimit.status import read_state

HEADERS = ("provider", "breaker", "why", "since", "errors", "rate", "queued")


def _since(health: Health, now: float) -> str:
    return "—" if not health.since else f"{now - health.since:.0f} s ago"


def _queued(settings: Settings, names: list[str]) -> dict[str, str]:
    """Each provider's send-queue depth as text, over one broker connection."""
    queues = {name: providers.get(name).queue for name in names}
    try:
        depths = queue_depths(settings, queues.values())
    except Exception as exc:  # the broker is down: say so in the table, not as a traceback
        return dict.fromkeys(names, f"? ({type(exc).__name__})")
    return {name: str(depths[queue]) for name, queue in queues.items()}


def provider_rows(settings: Settings, client: redis.Redis, now: float) -> list[tuple[str, ...]]:
    """One row per offered provider, in routing order."""
    policy = BreakerPolicy.from_settings(settings.breaker)
    rows = []
    names = providers.route_order(settings)
    queued = _queued(settings, names)
    for name in names:
        limits = providers.settings_of(settings, name).limits
        health = read_health(client, name, policy, now)
        rate = read_state(client, LimitKeys.of(name), LimitPolicy.from_limits(limits))
        state = health.state.value.replace("_", "-")
        why = health.reason if health.state is not BreakerState.CLOSED else ""
        rows.append((name, state, why, _since(health, now), str(health.errors),
                     f"{rate.effective_rate:.1f}/{rate.ceiling:.1f} per s",
                     queued[name]))  # fmt: skip
    return rows


def show_providers() -> None:
    """Health (breaker state and why), effective send rate and send-queue depth per provider."""
    settings = get_settings()
    client = redis.Redis.from_url(settings.redis_url)
    table = Table(*HEADERS)
    for row in provider_rows(settings, client, time.time()):
        table.add_row(*row)
    Console(width=160).print(table)
