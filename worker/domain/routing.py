"""Which provider a batch goes through: a pinned campaign's own, or the first able and healthy."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from config import providers

AUTO = providers.AUTO


@dataclass(frozen=True, slots=True)
class Need:
    """What a batch asks of its provider."""

    message_type: str
    advertising: bool = False
    reserved: bool = False
    international: bool = False


def need_of(campaign: object, message_type: str) -> Need:
    """What batches of `message_type` of `campaign` ask of a provider."""
    return Need(
        message_type=message_type,
        advertising=getattr(campaign, "content_type", "COMM") == "AD",
        reserved=getattr(campaign, "schedule_mode", None) == "reserve",
        international=message_type == "INTL",
    )


def able(entry: providers.Provider, need: Need) -> bool:
    """True when the provider can carry such a batch at all."""
    can = entry.capabilities
    checks = (
        need.message_type != "MMS" or can.mms,
        not need.advertising or can.ad,
        not need.reserved or can.reservations,
        can.international if need.international else can.domestic,
    )
    return all(checks)


def choose(
    pinned: str, order: Sequence[str], need: Need, healthy: Callable[[str], bool]
) -> str | None:
    """The provider for the next batch: a pinned campaign stays on its own; `auto` takes the
    first provider of `order` that can carry it and is healthy, else the first that can (its
    batches then wait for it to recover). None when no provider of `order` can."""
    if pinned != AUTO:
        return pinned
    capable = _preferred([name for name in order if able(providers.get(name), need)], need)
    return next((name for name in capable if healthy(name)), capable[0] if capable else None)


def _preferred(names: list[str], need: Need) -> list[str]:
    """International batches go first to providers that send abroad only (API PLEX), which
    size and price by parts; the others keep their order."""
    if not need.international:
        return names
    return sorted(names, key=lambda name: providers.get(name).capabilities.domestic)


def next_after(
    sick: str, order: Sequence[str], need: Need, healthy: Callable[[str], bool]
) -> str | None:
    """Where batches of an auto campaign go when `sick` cannot take them: the first other able,
    healthy provider; None when there is none (they wait for `sick`)."""
    others = _preferred([name for name in order if name != sick], need)
    return next((n for n in others if able(providers.get(n), need) and healthy(n)), None)


def unwatched(campaign: object, message_type: str) -> str | None:
    """Routing without health: a pinned campaign's provider, or for `auto` the first able
    provider of the registry (for callers with no breakers, such as tests and tools)."""
    need = need_of(campaign, message_type)
    return choose(str(campaign.provider), providers.provider_names(), need,
                  lambda _: True)  # fmt: skip
