"""How reports look on a terminal (rich tables)."""

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from producer.campaigns import ImportReport
from producer.pricing import won
from producer.report import CampaignReport
from producer.schedule import schedule_line
from producer.waits import waiting_for
from worker.db.types import utcnow
from worker.domain.messages import MessageType
from worker.domain.statuses import CampaignStatus

# A campaign in these states waits for nothing more.
DONE = (CampaignStatus.COMPLETED, CampaignStatus.CANCELLED)

SHOWN_ERRORS = 20


def print_import(console: Console, report: ImportReport) -> None:
    """What creating the campaign did with the rows it read."""
    if report.existing:
        console.print(
            f"campaign {report.campaign_id} already existed under this idempotency key "
            f"(recipients: {report.imported}): nothing was imported again",
            soft_wrap=True,
        )
        return
    console.print(
        f"campaign {report.campaign_id}: read {report.read}, imported {report.imported}, "
        f"duplicates {report.duplicates}, suppressed {report.suppressed}, "
        f"rejected {report.rejected}"
    )
    if report.encoding:
        console.print(
            f"  read as {report.encoding}, delimiter {report.delimiter!r}, "
            f"{report.rows_per_second:,.0f} rows/s"
        )
    if report.abroad:
        console.print(f"  {parts_line(report.abroad, report.abroad_parts)}")
    if report.rejects_path:
        console.print(f"  rejected rows (line, raw, reason) written to {report.rejects_path}")
    for error in report.errors[:SHOWN_ERRORS]:
        console.print(f"  line {error.line}: {error.reason}")
    if report.rejected > SHOWN_ERRORS:
        console.print(f"  … and {report.rejected - SHOWN_ERRORS} more rejected rows")
    if report.handover_pending:
        console.print(
            f"campaign {report.campaign_id} is stored and starts when the broker is back "
            "(beat queues it again); the broker went away while it was being created",
            soft_wrap=True,
        )


def parts_line(recipients: int, parts: int) -> str:
    """`abroad: 600 recipients, 1,200 SMS parts (2.0 each)`: what international sends cost."""
    each = parts / recipients if recipients else 0.0
    return f"abroad: {recipients:,} recipients, {parts:,} SMS parts ({each:.1f} each)"


def print_report(console: Console, report: CampaignReport, alerts: Sequence[str] = ()) -> None:
    """The summary: counts by status, by result code with its title, time and throughput;
    the send time, `alerts` (provider outages) and what an open campaign waits for."""
    console.print(
        f"[bold]campaign {report.campaign_id}[/bold] {report.name!r} via {report.provider}: "
        f"{report.phase}, {report.final}/{report.total} final, "
        f"elapsed {report.elapsed_seconds:.1f} s, {report.throughput:.0f} recipients/s"
    )
    _print_schedule(console, report, alerts)
    delivered = ", ".join(
        f"attempt {attempt}: {count}"
        for attempt, count in sorted(report.delivered_by_attempt.items())
    )
    failed = ", ".join(f"{kind}: {count}" for kind, count in sorted(report.failed_by_class.items()))
    console.print(f"delivered by attempt: {delivered or 'none'}")
    console.print(f"failed by class: {failed or 'none'}")
    console.print(f"re-sent after a transient failure: {report.resent}")
    sent = ", ".join(f"{name}: {count}" for name, count in report.sent_by_provider.items())
    console.print(f"sent by provider: {sent or 'none yet'}")
    if report.abroad_recipients:
        console.print(parts_line(report.abroad_recipients, report.abroad_parts or 0))
    unknown = report.by_status.get("unknown", 0)
    if unknown:
        console.print(
            f"[bold red]{unknown} recipients unknown[/bold red]: their request may have reached "
            "the provider, which cannot be asked; an operator decides whether to send again",
            soft_wrap=True,
        )
    statuses = Table("status", "recipients", title="by status")
    for status, count in sorted(report.by_status.items(), key=lambda item: -item[1]):
        statuses.add_row(status, str(count))
    console.print(statuses)
    console.print(_types(report))
    codes = Table(
        "provider", "code", "title", "class", "status", "recipients", title="by result code"
    )
    for line in report.by_code:
        row = (line.provider, line.code, line.title, line.outcome, line.status, str(line.count))
        codes.add_row(*row)
    console.print(codes)


def _print_schedule(console: Console, report: CampaignReport, alerts: Sequence[str]) -> None:
    now = utcnow()
    line = schedule_line(report.schedule_mode, report.scheduled_at, report.waits.reservations, now)
    if line:
        console.print(line, soft_wrap=True)
    for alert in alerts:
        console.print(f"[bold red]{alert}[/bold red]", soft_wrap=True)
    if report.status not in DONE and (waiting := waiting_for(report.waits, now)):
        console.print(f"waiting: {'; '.join(waiting)}", soft_wrap=True)


def _types(report: CampaignReport) -> Table:
    """Recipients by the type each is sent as, with the estimated cost (settings.prices)."""
    table = Table("type", "recipients", "estimated cost", title="by type")
    for kind in (kind.value for kind in MessageType if kind.value in report.by_type):
        table.add_row(kind, str(report.by_type[kind]), won(report.cost_by_type.get(kind)))
    known = [cost for cost in report.cost_by_type.values() if cost is not None]
    table.add_row("total", str(sum(report.by_type.values())), won(sum(known)))
    return table
