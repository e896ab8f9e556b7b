"""Create a campaign: validate, stream recipients into the database in bulk, enqueue planning."""

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError
from sqlalchemy import Engine

from config.settings import Settings, get_settings
from producer.attachments import campaign_images
from producer.composer import Composer
from producer.heartbeat import Heartbeat
from producer.intake import Intake
from producer.loading import ProgressFn, load_rows
from producer.numbers import NumberReader, reach_of
from producer.parts import count_abroad
from producer.queueing import BrokerUnavailable, Handover, connect
from producer.rejects import RejectsFile
from producer.sources import SourceRow, Table
from producer.spec import CampaignSpec
from producer.spec_errors import SpecError, nothing_imported
from worker.db import campaigns
from worker.db import images as stored_images
from worker.db.bulk import RecipientLoad, recipient_loader
from worker.db.engine import get_engine
from worker.db.types import utcnow
from worker.domain import template as templates
from worker.domain.images import Image, ImageError
from worker.domain.messages import MessageError
from worker.domain.phones import KOREA, PhoneError
from worker.domain.statuses import CampaignStatus

KEPT_ERRORS = 1_000


class Source(Protocol):
    """Where recipients come from."""

    def variables(self) -> set[str]: ...
    def rows(self) -> Iterator[SourceRow]: ...
    def open(self) -> AbstractContextManager[Table]: ...


class ImportStopped(SpecError):
    """The import failed half-way: what was stored stays, and the campaign was stopped."""


class NothingImported(SpecError):
    """No recipient could be imported (no rows, or every row rejected): the campaign was
    removed again, so nothing is stored. `report` says what became of each row."""

    def __init__(self, message: str, report: "ImportReport") -> None:
        super().__init__(message)
        self.report = report


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
    # The campaign is stored, but the broker went away before it was handed to the workers:
    # beat queues it once the broker is back.
    handover_pending: bool = False
    # Created before under the same idempotency key: nothing was imported this time.
    existing: bool = False
    # Recipients abroad, and the SMS parts (GSM-7 / UCS-2 segments) their messages take.
    abroad: int = 0
    abroad_parts: int = 0

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
    max_cost: float | None = None,
) -> ImportReport:
    """Write the campaign and its valid recipients, then enqueue planning by task name.

    Nothing is written when the spec does not fit the source's header, the source cannot be
    read (SourceError: NotText for a file that is not text), the broker cannot be reached
    (SpecError) or no row could be imported (NothingImported: the campaign is removed
    again); each row that cannot be sent is counted, kept in the report (the
    first KEPT_ERRORS) and, with `rejects`, written to that CSV file. A broker that goes away
    once the campaign is stored does not stop the import: the report's `handover_pending`
    says so, and beat queues the campaign when the broker is back. A campaign created before
    with the spec's idempotency key is returned as it is (`existing`), nothing imported.
    With `max_cost` (KRW), the campaign is previewed first and refused (SpecError) when its
    estimated cost is above it.
    """
    settings = settings or get_settings()
    spec = _for_settings(spec, settings)
    engine = get_engine(settings.database_url)
    if (found := _existing(engine, spec.idempotency_key)) is not None:
        return found
    if max_cost is not None:
        # Imported here: the preview reuses this module's checks.
        from producer.budget import check_budget

        check_budget(spec, source, settings, max_cost)
    started = time.monotonic()
    handover = _reach_broker(settings) if enqueue else None
    with source.open() as table:
        composing = composer(spec, table)
        reading = numbers(spec, table, settings)
        attached = images(spec, settings)
        campaign_id = _insert_campaign(engine, spec, settings, attached)
        if campaign_id is None:
            return _raced(engine, spec.idempotency_key)
        intake = Intake(engine, campaign_id, not _waits(spec), *_handing(handover))
        with Heartbeat(engine, campaign_id):
            report = _import(engine, table, (composing, reading), intake, rejects, progress)
    if not report.imported:
        intake.stop()  # a draft still: it is deleted, and nothing is stored
        report.campaign_id = 0
        raise NothingImported(_why_nothing(source, report), report)
    intake.finish(_waits(spec))
    if reading.abroad:
        report.abroad, report.abroad_parts = count_abroad(engine, campaign_id, spec.template)
    report.handover_pending = handover is not None and handover.pending
    report.seconds = time.monotonic() - started
    return report


def _why_nothing(source: Source, report: ImportReport) -> str:
    """The line NothingImported says: the file's name, the rows rejected and the first
    reason, and where the rejects file is."""
    path = getattr(source, "path", None)
    errors, where = report.errors, "line" if path else "number"
    first = f"{where} {errors[0].line}: {errors[0].reason}" if errors else ""
    why = nothing_imported(str(path) if path else None, report.read, report.rejected, first)
    if report.rejects_path:
        why += f"; every rejected row is in {report.rejects_path}"
    return why


def _for_settings(spec: CampaignSpec, settings: Settings) -> CampaignSpec:
    """The spec with its provider chosen; SpecError when that cannot be."""
    try:
        return spec.for_settings(settings)
    except ValidationError:
        raise
    except ValueError as exc:
        raise SpecError(str(exc)) from None


def _existing(engine: Engine, key: str | None) -> ImportReport | None:
    """The report of the campaign created under `key` before, or None."""
    if key is None:
        return None
    with engine.connect() as conn:
        row = campaigns.find_by_key(conn, key)
    if row is None:
        return None
    return ImportReport(campaign_id=row.id, imported=row.total_recipients, existing=True)


def _raced(engine: Engine, key: str | None) -> ImportReport:
    """A create racing with this one stored a campaign under the same key first: that one."""
    found = _existing(engine, key)
    if found is None:  # it stored nothing usable after all, and removed its draft
        raise SpecError(f"a create with idempotency key {key!r} failed meanwhile; create again")
    return found


def _reach_broker(settings: Settings) -> Handover:
    """The broker must answer before anything is stored: an import hands over its first
    chunk at once, and a campaign no worker hears of would sit in the database unseen."""
    try:
        connect(settings)
    except BrokerUnavailable as exc:
        raise SpecError(
            f"{exc}; nothing was stored: start it (or fix BULKSMS_BROKER_URL) and create again"
        ) from None
    return Handover(settings)


def _handing(handover: Handover | None) -> tuple[Callable[[int], None], ...]:
    """How the import hands its campaign to the workers: plan and cancel tasks, or nothing
    (enqueue=False: the caller runs planning itself)."""
    if handover is None:
        return _left_to_caller, _left_to_caller
    return handover.plan, handover.cancel


def _left_to_caller(campaign_id: int) -> None:
    """Nothing is queued: the caller plans (or cancels) the campaign itself."""


def _import(
    engine: Engine,
    table: Table,
    readers: tuple[Composer, NumberReader],
    intake: Intake,
    rejects: Path | None,
    progress: ProgressFn | None,
) -> ImportReport:
    """Every row of the table into the campaign; what became of them."""
    report = ImportReport(campaign_id=intake.campaign_id)
    report.encoding = getattr(table, "encoding", "")
    report.delimiter = getattr(table, "delimiter", "")
    with RejectsFile(rejects) as rejects_file:
        _load_recipients(engine, table, readers, report, rejects_file, progress, intake)
    report.rejects_path = rejects if rejects_file.written else None
    report.imported, report.suppressed = intake.imported, intake.suppressed
    report.duplicates = report.read - report.rejected - report.imported
    return report


def _waits(spec: CampaignSpec) -> bool:
    """True when the campaign stays in the database until its send time."""
    return spec.schedule_mode == "wait" and spec.send_at is not None and spec.send_at > utcnow()


def composer(spec: CampaignSpec, table: Table) -> Composer:
    """Check the template against the header before any row is read."""
    variables = table.columns.variables
    missing = templates.variables(spec.template) - set(variables)
    if missing:
        raise SpecError(f"template uses {sorted(missing)} but the recipients have no such column")
    try:
        return Composer(spec, variables)
    except MessageError as exc:
        raise SpecError(f"the message cannot be sent: {exc}") from None


def numbers(spec: CampaignSpec, table: Table, settings: Settings) -> NumberReader:
    """How rows' numbers are read; SpecError when the spec asks for countries its providers
    cannot reach, or names no such column."""
    reach = reach_of(spec, settings)
    abroad = spec.default_country != KOREA or spec.country_column is not None
    if abroad and not reach.international:
        raise SpecError(
            "numbers of other countries were asked for (--default-country/--country-column), "
            "but no provider of this campaign sends abroad"
        )
    try:
        return NumberReader(spec, table.columns, reach)
    except PhoneError as exc:
        raise SpecError(str(exc)) from None


def images(spec: CampaignSpec, settings: Settings) -> list[Image]:
    """The MMS images, checked; SpecError names the file and the limit it breaks."""
    try:
        return campaign_images(spec, settings)
    except ImageError as exc:
        raise SpecError(f"{exc}; nothing was stored") from None


def _insert_campaign(
    engine: Engine, spec: CampaignSpec, settings: Settings, images: list[Image]
) -> int | None:
    """The new campaign's id (its images stored with it); None when a campaign with the
    spec's idempotency key exists."""
    now = utcnow()
    columns = spec.columns()
    start = max(spec.send_at or now, now)
    if columns["deadline_at"] is None:
        columns["deadline_at"] = start + timedelta(hours=settings.resend.default_deadline_hours)
    fields = {**columns, "status": CampaignStatus.DRAFT.value, "created_at": now}
    with engine.begin() as conn:
        if spec.idempotency_key is None:
            campaign_id = campaigns.create(conn, **fields)
        else:
            campaign_id = campaigns.create_once(conn, **fields)
        if campaign_id is not None:
            stored_images.add_to_campaign(conn, campaign_id, images)
        return campaign_id


def _load_recipients(
    engine: Engine,
    table: Table,
    readers: tuple[Composer, NumberReader],
    report: ImportReport,
    rejects: RejectsFile,
    progress: ProgressFn | None,
    intake: Intake,
) -> None:
    """Every row, committed chunk by chunk; a failure before the first commit stores nothing,
    one after it stops the campaign (ImportStopped says what was already queued)."""

    def reject(line: int, raw: str, reason: str) -> None:
        report.reject(line, reason, raw)
        rejects.add(line, raw, reason)

    columns = table.columns
    load = RecipientLoad(report.campaign_id, len(columns.names), columns.phone, columns.variables)
    try:
        with recipient_loader(engine, load, intake.committed) as loader:
            composer, numbers = readers
            report.read = load_rows(table, composer, loader, reject, progress, numbers)
    except Exception as exc:
        if not intake.stop():
            raise
        raise ImportStopped(
            f"the import stopped at line {table.line}: {exc}; campaign {report.campaign_id} "
            f"was stopped after {intake.imported:,} recipients were stored (some may be sent)"
        ) from exc
