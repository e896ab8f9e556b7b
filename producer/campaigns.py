"""Create a campaign: validate, stream recipients into the database in bulk, enqueue planning."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import Engine

from config.settings import Settings, get_settings
from producer.queueing import enqueue_plan
from producer.sources import SourceRow
from producer.spec import CampaignSpec
from worker.db import campaigns, recipients
from worker.db.engine import get_engine
from worker.db.types import utcnow
from worker.domain import template as templates
from worker.domain.messages import MessageError, MessageType, check_content, fitting_type
from worker.domain.phones import PhoneError, normalise_kr_mobile
from worker.domain.statuses import CampaignStatus

INSERT_CHUNK = 5_000
KEPT_ERRORS = 1_000


class Source(Protocol):
    """Where recipients come from."""

    def variables(self) -> set[str]: ...
    def rows(self) -> Iterator[SourceRow]: ...


class SpecError(ValueError):
    """The campaign cannot be created as specified (nothing was written)."""


@dataclass(frozen=True, slots=True)
class RowError:
    """A recipient row that was not imported, and why."""

    line: int
    reason: str


@dataclass
class ImportReport:
    """What creating a campaign did with its recipients."""

    campaign_id: int = 0
    read: int = 0
    imported: int = 0
    duplicates: int = 0
    suppressed: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        """Count a bad row; keep the first KEPT_ERRORS of them to show."""
        self.rejected += 1
        if len(self.errors) < KEPT_ERRORS:
            self.errors.append(RowError(line, reason))


def create_campaign(
    spec: CampaignSpec, source: Source, settings: Settings | None = None, enqueue: bool = True
) -> ImportReport:
    """Write the campaign and its valid recipients, then enqueue planning by task name."""
    settings = settings or get_settings()
    _check_variables(spec, source)
    engine = get_engine(settings.database_url)
    report = ImportReport(campaign_id=_insert_campaign(engine, spec))
    _load_recipients(engine, spec, source, report)
    _finish(engine, report)
    if enqueue and report.imported - report.suppressed > 0:
        enqueue_plan(settings, report.campaign_id)
    return report


def _check_variables(spec: CampaignSpec, source: Source) -> None:
    missing = templates.variables(spec.template) - source.variables()
    if missing:
        raise SpecError(f"template uses {sorted(missing)} but the recipients have no such column")


def _insert_campaign(engine: Engine, spec: CampaignSpec) -> int:
    with engine.begin() as conn:
        return campaigns.create(
            conn, **spec.model_dump(), status=CampaignStatus.DRAFT.value, created_at=utcnow()
        )


def _load_recipients(
    engine: Engine, spec: CampaignSpec, source: Source, report: ImportReport
) -> None:
    chunk: list[dict[str, object]] = []
    for row in source.rows():
        report.read += 1
        record = _record(spec, row, report)
        if record is None:
            continue
        record["campaign_id"] = report.campaign_id
        chunk.append(record)
        if len(chunk) >= INSERT_CHUNK:
            _write(engine, chunk)
    _write(engine, chunk)


def _write(engine: Engine, chunk: list[dict[str, object]]) -> None:
    if chunk:
        with engine.begin() as conn:
            recipients.insert_many(conn, chunk)
        chunk.clear()


def _record(spec: CampaignSpec, row: SourceRow, report: ImportReport) -> dict[str, object] | None:
    """The recipient row to insert, or None after recording why the row is rejected."""
    try:
        if row.error:
            raise ValueError(row.error)
        phone = normalise_kr_mobile(row.phone)
        content = templates.render(spec.template, row.variables)
        message_type = _message_type(spec, content)
    except (PhoneError, MessageError, templates.TemplateError, ValueError) as exc:
        report.reject(row.line, str(exc))
        return None
    return {
        "phone": phone,
        "variables": row.variables or None,
        "message_type": message_type,
        "status": "pending",
        "attempts": 0,
    }


def _message_type(spec: CampaignSpec, content: str) -> str:
    if spec.message_type == "AUTO":
        kind = MessageType.LMS if spec.subject else fitting_type(content)
    else:
        kind = MessageType(spec.message_type)
    check_content(content, kind)
    return kind.value


def _finish(engine: Engine, report: ImportReport) -> None:
    """Count what landed, skip suppressed numbers and queue the campaign."""
    with engine.begin() as conn:
        report.imported = recipients.count(conn, report.campaign_id)
        report.duplicates = report.read - report.rejected - report.imported
        report.suppressed = recipients.suppress_listed(conn, report.campaign_id, utcnow())
        campaigns.set_total(conn, report.campaign_id, report.imported)
        new = (
            CampaignStatus.QUEUED
            if report.imported > report.suppressed
            else CampaignStatus.COMPLETED
        )
        campaigns.transition(
            conn, report.campaign_id, [CampaignStatus.DRAFT], new, queued_at=utcnow()
        )
