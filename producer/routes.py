"""Which provider a campaign's messages of one type go through while every provider is
healthy: worker/services/routing.py's rule (able, then preferred), which the producer may not
import, restated over the registry's capabilities."""

from dataclasses import dataclass

from config import providers
from config.providers import Capabilities
from config.settings import Settings

INTL = "INTL"


@dataclass(frozen=True, slots=True)
class Route:
    """What routing reads of a campaign: its provider (a name, or auto), whether it is an
    advertisement, and whether the provider holds it as a reservation."""

    provider: str
    advertising: bool = False
    reserved: bool = False

    @classmethod
    def of(cls, campaign: object) -> "Route":
        """From a spec or a campaign row (both carry provider, content_type, schedule_mode)."""
        return cls(
            str(getattr(campaign, "provider", providers.AUTO)),
            getattr(campaign, "content_type", "COMM") == "AD",
            getattr(campaign, "schedule_mode", None) == "reserve",
        )

    def provider_for(self, kind: str, settings: Settings) -> str | None:
        """A pinned campaign's provider; for `auto` the first of the routing order able to
        carry the type (abroad, one that sends abroad only first); None when none can."""
        if self.provider != providers.AUTO:
            return self.provider
        able = [name for name in providers.route_order(settings) if self._able(_can(name), kind)]
        if kind == INTL:  # API PLEX sizes and prices by parts: routing prefers it abroad
            able.sort(key=lambda name: _can(name).domestic)
        return able[0] if able else None

    def _able(self, can: Capabilities, kind: str) -> bool:
        checks = (
            kind != "MMS" or can.mms,
            not self.advertising or can.ad,
            not self.reserved or can.reservations,
            can.international if kind == INTL else can.domestic,
        )
        return all(checks)


def _can(name: str) -> Capabilities:
    return providers.get(name).capabilities
