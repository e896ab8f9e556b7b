"""A campaign's progress and final summary, read from the database."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from config import providers
from config.settings import Settings, get_settings
from producer.pricing import cost_of
from producer.routes import Route
from producer.schedule import phase
from producer.waits import Waits, read_waits
from worker.db import attempts, campaigns
from worker.db.types import utcnow
from worker.domain.codes import describe
from worker.domain.statuses import FINAL_RECIPIENT_STATUSES


@dataclass(frozen=True, slots=True)
class CodeLine:
    """Recipients that ended with one result code."""

    status: str
    outcome: str
    code: str
    title: str
    count: int
    family: str = ""
    provider: str = ""


@dataclass(frozen=True, slots=True)
class CampaignReport:
    """Where a campaign stands."""

    campaign_id: int
    name: str
    provider: str
    status: str
    total: int
    by_status: dict[str, int]
    by_code: list[CodeLine]
    created_at: datetime
    completed_at: datetime | None
    resent: int = 0
    delivered_by_attempt: dict[int, int] = field(default_factory=dict)
    # Messages each provider took (accepted requests' recipients), by provider name.
    sent_by_provider: dict[str, int] = field(default_factory=dict)
    # Recipients abroad and the SMS parts their messages take (None until the import ended).
    abroad_recipients: int | None = None
    abroad_parts: int | None = None
    # Recipients by the type each is sent as, and the estimated KRW of each type (None where
    # a provider it goes through has no price set for it).
    by_type: dict[str, int] = field(default_factory=dict)
    cost_by_type: dict[str, float | None] = field(default_factory=dict)
    # The send time and how it waits for it ("wait" in the database, "reserve" at the
    # provider; None: sent at once), and what the campaign still waits for.
    scheduled_at: datetime | None = None
    schedule_mode: str | None = None
    waits: Waits = field(default_factory=Waits)

    @property
    def phase(self) -> str:
        """The status as people read it: `reserved for 12-24 09:00 KST` while a reservation
        is ahead (its batches accepted, not sent), `scheduled for …` while it waits."""
        return phase(self.status, self.schedule_mode, self.scheduled_at, utcnow())

    @property
    def failed_by_class(self) -> dict[str, int]:
        """Failed recipients by why: permanent code, transient that ran out, unknown code, …"""
        counts: dict[str, int] = {}
        for line in self.by_code:
            if line.status == "failed":
                kind = "unknown code" if line.family == "unknown" else line.outcome
                counts[kind] = counts.get(kind, 0) + line.count
        return counts

    @property
    def final(self) -> int:
        """Recipients in a final state."""
        return sum(n for s, n in self.by_status.items() if s in FINAL_RECIPIENT_STATUSES)

    @property
    def elapsed_seconds(self) -> float:
        """From creation to completion (or to now)."""
        end = self.completed_at or utcnow()
        return max((end - self.created_at).total_seconds(), 1e-9)

    @property
    def throughput(self) -> float:
        """Final recipients per second."""
        return self.final / self.elapsed_seconds


def _line(campaign_provider: str, counted: Any) -> CodeLine:
    """One code line, described in the family and by the provider that reported it."""
    # Our own codes (a cancel, an unrenderable text) may have no batch; an auto campaign
    # then names no provider, and the first of the registry describes them alike.
    provider = counted.provider or campaign_provider
    if provider not in providers.provider_names():
        provider = providers.provider_names()[0]
    row = describe(provider, counted.result_code, counted.result_family)
    return CodeLine(
        counted.status,
        counted.result_outcome or "",
        counted.result_code,
        row.title,
        counted.count,
        row.family,
        provider,
    )


class UnknownCampaign(LookupError):
    """No campaign has that id."""


def campaign_report(
    engine: Engine, campaign_id: int, settings: Settings | None = None
) -> CampaignReport:
    """Counts by status, by result code (with the code's title) and by type with its
    estimated cost (settings.prices) for one campaign, its send time and what it waits for."""
    with engine.connect() as conn:
        campaign = campaigns.get(conn, campaign_id)
        if campaign is None:
            raise UnknownCampaign(f"no campaign with id {campaign_id}")
        by_status = campaigns.status_counts(conn, campaign_id)
        codes = campaigns.code_counts(conn, campaign_id)
        resent = campaigns.resent_count(conn, campaign_id)
        by_attempt = attempts.delivered_by_attempt(conn, campaign_id)
        by_provider = campaigns.sent_by_provider(conn, campaign_id)
        by_type = campaigns.type_counts(conn, campaign_id)
        routed = campaigns.provider_type_counts(conn, campaign_id)
        waits = read_waits(conn, campaign_id)
    lines = [_line(campaign.provider, counted) for counted in codes]
    return CampaignReport(
        campaign_id=campaign_id,
        name=campaign.name,
        provider=campaign.provider,
        status=campaign.status,
        total=campaign.total_recipients,
        by_status=by_status,
        by_code=lines,
        created_at=campaign.created_at,
        completed_at=campaign.completed_at,
        resent=resent,
        delivered_by_attempt=by_attempt,
        sent_by_provider=by_provider,
        abroad_recipients=campaign.abroad_recipients,
        abroad_parts=campaign.abroad_parts,
        by_type=by_type,
        cost_by_type=_costs(campaign, routed, settings or get_settings()),
        scheduled_at=campaign.scheduled_at,
        schedule_mode=campaign.schedule_mode,
        waits=waits,
    )


def _costs(campaign: Any, routed: list[Any], settings: Settings) -> dict[str, float | None]:
    """Estimated KRW by type: recipients of each (provider, type) at its price; those whose
    row names no batch yet count under the provider routing gives the campaign. Abroad, each
    recipient takes the campaign's average of SMS parts (one before the import counted them)."""
    route = Route.of(campaign)
    abroad = campaign.abroad_recipients
    each = (campaign.abroad_parts or 0) / abroad if abroad else 1.0
    costs: dict[str, float | None] = {}
    for provider, kind, count in routed:
        chosen = provider or route.provider_for(kind, settings)
        cost = cost_of(settings, chosen, kind, count, count * each)
        known = costs.get(kind, 0.0)
        costs[kind] = None if cost is None or known is None else known + cost
    return costs
