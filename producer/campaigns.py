"""Create a campaign: validate, stream recipients into the database in bulk, enqueue planning."""

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError
from sqlalchemy import Engine

from config.settings import Settings, get_settings
from producer.composer import Composer
from producer.loading import ProgressFn, load_rows
from producer.queueing import enqueue_plan
from producer.rejects import RejectsFile
from producer.sources import SourceRow, Table
from producer.spec import CampaignSpec
from worker.db import campaigns, recipients
from worker.db.bulk import RecipientLoad, recipient_loader
from worker.db.engine import get_engine
from worker.db.types import utcnow
from worker.domain import template as templates
from worker.domain.messages import MessageError
from worker.domain.statuses import CampaignStatus

KEPT_ERRORS = 1_000


class Source(Protocol):
    """Where recipients come from."""

    def variables(self) -> set[str]: ...
    def rows(self) -> Iterator[SourceRow]: ...
    def open(self) -> AbstractContextManager[Table]: ...


class SpecError(ValueError):
    """The campaign cannot be created as specified (nothing was written)."""


@dataclass(frozen=True, slots=True)
class RowError:
    """A recipient row that was not imported, and why."""

    line: int
    reason: str
    raw: str = ""


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
    encoding: str = ""
    delimiter: str = ""
    rejects_path: Path | None = None
    seconds: float = 0.0

    def reject(self, line: int, reason: str, raw: str = "") -> None:
        """Count a bad row; keep the first KEPT_ERRORS of them to show."""
        self.rejected += 1
        if len(self.errors) < KEPT_ERRORS:
            self.errors.append(RowError(line, reason, raw))

    @property
    def rows_per_second(self) -> float:
        """Rows read per second of import."""
        return self.read / self.seconds if self.seconds else 0.0


def create_campaign(
    spec: CampaignSpec,
    source: Source,
    settings: Settings | None = None,
    enqueue: bool = True,
    rejects: Path | None = None,
    progress: ProgressFn | None = None,
) -> ImportReport:
    """Write the campaign and its valid recipients, then enqueue planning by task name.

    Nothing is written when the spec does not fit the source's header (SpecError); each
    row that cannot be sent is counted, kept in the report (the first KEPT_ERRORS) and, with
    `rejects`, written to that CSV file.
    """
    settings = settings or get_settings()
    try:
        spec = spec.for_settings(settings)
    except ValidationError:
        raise
    except ValueError as exc:
        raise SpecError(str(exc)) from None
    engine = get_engine(settings.database_url)
    started = time.monotonic()
    with source.open() as table:
        composer = _composer(spec, table)
        report = ImportReport(campaign_id=_insert_campaign(engine, spec, settings))
        report.encoding = getattr(table, "encoding", "")
        report.delimiter = getattr(table, "delimiter", "")
        with RejectsFile(rejects) as rejects_file:
            _load_recipients(engine, table, composer, report, rejects_file, progress)
        report.rejects_path = rejects if rejects_file.written else None
    status = _finish(engine, report, _waits(spec))
    report.seconds = time.monotonic() - started
    if enqueue and status is CampaignStatus.QUEUED:
        enqueue_plan(settings, report.campaign_id)
    return report


def _waits(spec: CampaignSpec) -> bool:
    """True when the campaign stays in the database until its send time."""
    return spec.schedule_mode == "wait" and spec.send_at is not None and spec.send_at > utcnow()


def _composer(spec: CampaignSpec, table: Table) -> Composer:
    """Check the template against the header before any row is read."""
    variables = table.columns.variables
    missing = templates.variables(spec.template) - set(variables)
    if missing:
        raise SpecError(f"template uses {sorted(missing)} but the recipients have no such column")
    try:
        return Composer(spec, variables)
    except MessageError as exc:
        raise SpecError(f"the message cannot be sent: {exc}") from None


def _insert_campaign(engine: Engine, spec: CampaignSpec, settings: Settings) -> int:
    now = utcnow()
    columns = spec.columns()
    start = max(spec.send_at or now, now)
    if columns["deadline_at"] is None:
        columns["deadline_at"] = start + timedelta(hours=settings.resend.default_deadline_hours)
    with engine.begin() as conn:
        return campaigns.create(conn, **columns, status=CampaignStatus.DRAFT.value, created_at=now)


def _load_recipients(
    engine: Engine,
    table: Table,
    composer: Composer,
    report: ImportReport,
    rejects: RejectsFile,
    progress: ProgressFn | None,
) -> None:
    """Every row in one transaction: a failed import leaves a draft campaign with none."""

    def reject(line: int, raw: str, reason: str) -> None:
        report.reject(line, reason, raw)
        rejects.add(line, raw, reason)

    columns = table.columns
    load = RecipientLoad(report.campaign_id, len(columns.names), columns.phone, columns.variables)
    with engine.begin() as conn, recipient_loader(conn, load) as loader:
        report.read = load_rows(table, composer, loader, reject, progress)


def _finish(engine: Engine, report: ImportReport, waits: bool) -> CampaignStatus:
    """Count what landed, skip suppressed numbers; queue (or schedule) the campaign."""
    with engine.begin() as conn:
        report.imported = recipients.count(conn, report.campaign_id)
        report.duplicates = report.read - report.rejected - report.imported
        report.suppressed = recipients.suppress_listed(conn, report.campaign_id, utcnow())
        campaigns.set_total(conn, report.campaign_id, report.imported)
        new = _first_status(report, waits)
        stamp = {"completed_at": utcnow()} if new is CampaignStatus.COMPLETED else {}
        campaigns.transition(
            conn, report.campaign_id, [CampaignStatus.DRAFT], new, queued_at=utcnow(), **stamp
        )
    return new


def _first_status(report: ImportReport, waits: bool) -> CampaignStatus:
    if report.imported <= report.suppressed:
        return CampaignStatus.COMPLETED  # nobody left to send to
    return CampaignStatus.SCHEDULED if waits else CampaignStatus.QUEUED
