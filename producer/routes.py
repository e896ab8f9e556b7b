"""Which provider a campaign's messages of one type go through while every provider is
healthy: the workers' own rule (worker/domain/routing.py) over the routing order."""

from dataclasses import dataclass

from config import providers
from config.settings import Settings
from worker.domain.routing import Need, choose

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
        need = Need(kind, self.advertising, self.reserved, international=kind == INTL)
        return choose(self.provider, providers.route_order(settings), need, lambda _: True)
