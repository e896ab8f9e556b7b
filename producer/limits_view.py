"""`bulksms limits`: each provider's effective send rate, its ceiling and requests in flight."""

import redis
from rich.console import Console
from rich.table import Table

from config import providers
from config.provider_settings import ProviderLimits
from config.settings import get_settings
from worker.ratelimit.keys import LimitKeys
from worker.ratelimit.policy import LimitPolicy
from worker.ratelimit.status import LimitState, read_state


def _providers() -> dict[str, ProviderLimits]:
    """The limits of every offered provider (keys set), in registry order."""
    settings = get_settings()
    return {
        entry.name: providers.settings_of(settings, entry.name).limits
        for entry in providers.offered(settings)
    }


def _since(state: LimitState) -> str:
    seconds = state.seconds_since_slow_down
    return "never" if seconds is None else f"{seconds:.0f} s ago"


def show_limits() -> None:
    """Effective rate (lowered by 429s, recovering to the ceiling) and requests in flight."""
    client = redis.Redis.from_url(get_settings().redis_url)
    table = Table("provider", "effective", "ceiling", "in flight", "slow-downs", "last 429")
    for provider, limits in _providers().items():
        state = read_state(client, LimitKeys.of(provider), LimitPolicy.from_limits(limits))
        cap = "∞" if limits.max_in_flight is None else str(limits.max_in_flight)
        table.add_row(
            provider,
            f"{state.effective_rate:.1f}/s",
            f"{state.ceiling:.1f}/s",
            f"{state.in_flight}/{cap}",
            str(state.slow_downs),
            _since(state),
        )
    Console().print(table)
