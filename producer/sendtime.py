"""How long sending takes: each provider's batches at its rate, providers side by side."""

from collections.abc import Iterable
from dataclasses import dataclass

from config import providers
from config.settings import Settings


@dataclass(frozen=True, slots=True)
class ProviderTime:
    """One provider's share of a campaign and how long its rate limit takes to send it."""

    provider: str
    recipients: int
    batches: int
    rate_per_second: float

    @property
    def seconds(self) -> float:
        """Batches (one request each) over requests per second."""
        return self.batches / self.rate_per_second


def send_times(settings: Settings, shares: Iterable[tuple[str, str, int]]) -> list[ProviderTime]:
    """Per provider, from (provider, type, recipients): a batch holds one type, so each type
    is cut into batches of the provider's size on its own."""
    totals: dict[str, tuple[int, int]] = {}
    for provider, _kind, recipients in shares:
        size = providers.batch_size(settings, provider)
        held, batches = totals.get(provider, (0, 0))
        totals[provider] = (held + recipients, batches - (-recipients // size))
    return [
        ProviderTime(name, held, batches, _rate(settings, name))
        for name, (held, batches) in totals.items()
    ]


def longest(times: Iterable[ProviderTime]) -> float:
    """The estimate: providers send at once, so the slowest one's time (0 with none)."""
    return max((time.seconds for time in times), default=0.0)


def _rate(settings: Settings, name: str) -> float:
    return providers.settings_of(settings, name).limits.rate_per_second
