"""A campaign's progress and final summary, read from the database."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from config import providers
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


def campaign_report(engine: Engine, campaign_id: int) -> CampaignReport:
    """Counts by status and by result code (with the code's title) for one campaign."""
    with engine.connect() as conn:
        campaign = campaigns.get(conn, campaign_id)
        if campaign is None:
            raise UnknownCampaign(f"no campaign with id {campaign_id}")
        by_status = campaigns.status_counts(conn, campaign_id)
        codes = campaigns.code_counts(conn, campaign_id)
        resent = campaigns.resent_count(conn, campaign_id)
        by_attempt = attempts.delivered_by_attempt(conn, campaign_id)
        by_provider = campaigns.sent_by_provider(conn, campaign_id)
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
    )
