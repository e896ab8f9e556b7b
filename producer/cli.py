"""The `bulksms` command: create campaigns, watch them, report on them, prepare the database."""

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console

from config import providers
from config.settings import get_settings
from producer import views
from producer.apikey_cli import apikey_app
from producer.campaign_list import list_campaigns
from producer.campaigns import SpecError, create_campaign
from producer.codes_cli import codes_app
from producer.columns import HeaderError
from producer.command_options import with_options
from producer.controls import NotPausable, pause_campaign, resume_campaign
from producer.database_errors import DatabaseGuard, creating_database
from producer.export import UnknownFormat, export_results
from producer.limits_view import show_limits
from producer.option_names import option_errors
from producer.outages import outage_lines
from producer.preview import imported_preview, preview_campaign
from producer.preview_view import print_preview, summary_line
from producer.progress import import_progress
from producer.providers_view import show_providers
from producer.queueing import BrokerUnavailable, enqueue_cancel
from producer.report import CampaignReport, UnknownCampaign, campaign_report
from producer.resend import STATUSES, resend_campaign
from producer.sources import CsvSource, NumberList, SourceError
from producer.spec import CampaignSpec
from producer.suppressions_cli import suppressions_app
from producer.table import named_delimiter
from producer.times import future_time, parse_time
from producer.watching import watch_campaign
from worker.db import migrate
from worker.db.engine import get_engine

app = typer.Typer(
    help="Bulk SMS campaigns through Korean messaging providers.",
    no_args_is_help=True,
    cls=DatabaseGuard,
)
campaign_app = typer.Typer(help="Create and follow campaigns.", no_args_is_help=True)
db_app = typer.Typer(help="Prepare the database.", no_args_is_help=True)
app.add_typer(campaign_app, name="campaign")
app.add_typer(db_app, name="db")
app.add_typer(codes_app, name="codes")
app.add_typer(suppressions_app, name="suppressions")
app.add_typer(apikey_app, name="apikey")
app.command("limits")(show_limits)
app.command("providers")(show_providers)
campaign_app.command("list")(list_campaigns)


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Default: BULKSMS_SERVICE__HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: BULKSMS_SERVICE__PORT.")] = None,
) -> None:
    """Run the HTTP service: the providers' webhooks (POST /webhooks/<provider>)."""
    import logging

    import uvicorn

    settings = get_settings()
    # Our own lines (each call stored or refused) at BULKSMS_LOG_LEVEL; uvicorn's access log
    # stays off, as a provider may carry its webhook secret in the URL.
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(message)s")
    service = settings.service
    uvicorn.run("producer.serving:create_app", factory=True, host=host or service.host,
                port=port or service.port, workers=service.workers, log_level="warning",
                access_log=False)  # fmt: skip


console = Console()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the schema (alembic) at BULKSMS_DATABASE_URL."""
    with creating_database():
        migrate.upgrade(get_settings().database_url)
    console.print("database schema is up to date")


@dataclass(frozen=True, slots=True)
class CampaignInput:
    """What the options of `campaign create` and `campaign preview` describe."""

    spec: CampaignSpec
    source: CsvSource | NumberList
    csv_path: Path | None


def _campaign_input(
    sender: Annotated[str, typer.Option("--from", help="Registered caller id, digits.")],
    template: Annotated[str, typer.Option(help="Message text; {column} takes a CSV value.")],
    csv_path: Annotated[Path | None, typer.Option("--csv", help="CSV with a phone column.")] = None,
    numbers: Annotated[str | None, typer.Option(help="Comma-separated numbers instead.")] = None,
    name: Annotated[str, typer.Option(help="Campaign name.")] = "campaign",
    message_type: Annotated[str, typer.Option("--type", help="SMS, LMS, MMS or AUTO.")] = "AUTO",
    subject: Annotated[str | None, typer.Option(help="Subject (LMS/MMS).")] = None,
    phone_column: Annotated[str | None, typer.Option(help="Name of the phone column.")] = None,
    encoding: Annotated[
        str | None, typer.Option(help="utf-8 or cp949 (euc-kr); detected when not given.")
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option(help="comma, tab or semicolon; detected when not given.")
    ] = None,
    at: Annotated[
        str | None, typer.Option(help="Send later: YYYY-MM-DD HH:MM (Korea time) or ISO 8601.")
    ] = None,
    reserve: Annotated[
        bool, typer.Option(help="Hand --at to the provider as a reservation (SENS: ≥ 10 min).")
    ] = False,
    deadline: Annotated[
        str | None, typer.Option(help="No re-send after this time (default: 24 h after start).")
    ] = None,
    provider: Annotated[
        str | None,
        typer.Option(
            help=f"{', '.join(providers.provider_names())} or auto (each batch through the first "
            "healthy provider); default: auto when several are configured.",
        ),
    ] = None,
    idempotency_key: Annotated[
        str | None,
        typer.Option(help="Create once: again with this key, the first campaign is returned."),
    ] = None,
    default_country: Annotated[
        str, typer.Option(help="Region (JP) or calling code (81) of numbers without +.")
    ] = "KR",
    country_column: Annotated[
        str | None, typer.Option(help="Column whose region or calling code reads its row.")
    ] = None,
    image: Annotated[
        list[Path] | None,
        typer.Option("--image", help="A JPEG for an MMS (repeat for more, as the provider takes)."),
    ] = None,
    ad: Annotated[
        bool, typer.Option("--ad", help="An advertisement: (광고), sender name, 080 opt-out.")
    ] = False,
    night_consent: Annotated[
        bool, typer.Option(help="The recipients consented to ads 21:00-08:00 (Korea time).")
    ] = False,
) -> CampaignInput:
    """The spec and the recipients the shared options give; one line and exit 2 if bad."""
    if (csv_path is None) == (numbers is None):
        _fail("give exactly one of --csv or --numbers")
    try:
        source = _source(csv_path, numbers, phone_column, encoding, delimiter)
        spec = CampaignSpec(
            name=name,
            sender=sender,
            template=template,
            message_type=message_type.upper(),
            subject=subject,
            send_at=future_time(at, "--at") if at else None,
            schedule_mode="reserve" if reserve else "wait",
            deadline=parse_time(deadline) if deadline else None,
            provider=provider,
            idempotency_key=idempotency_key,
            default_country=default_country,
            country_column=country_column,
            images=image or [],
            content_type="AD" if ad else "COMM",
            night_consent=night_consent,
        )
    except (ValidationError, HeaderError, ValueError) as exc:
        _fail(_reason(exc))
    return CampaignInput(spec, source, csv_path)


FAILURES = (ValidationError, SpecError, SourceError, HeaderError, ValueError)


@campaign_app.command("create")
@with_options(_campaign_input)
def campaign_create(
    given: CampaignInput,
    rejects: Annotated[
        Path | None,
        typer.Option(help="Rejected rows go here (default: <csv name>.rejects.csv beside it)."),
    ] = None,
    max_cost: Annotated[
        float | None,
        typer.Option(help="Refuse (storing nothing) when the estimated cost in KRW is above."),
    ] = None,
) -> None:
    """Create a campaign from a CSV file or a list of numbers and queue it."""
    if given.csv_path and rejects is None:
        rejects = given.csv_path.with_name(f"{given.csv_path.stem}.rejects.csv")
    try:
        with import_progress(console) as progress:
            report = create_campaign(
                given.spec, given.source, rejects=rejects, progress=progress, max_cost=max_cost
            )
    except FAILURES as exc:
        _fail(_reason(exc))
    views.print_import(console, report)
    if not report.existing:
        settings = get_settings()
        engine = get_engine(settings.database_url)
        console.print(summary_line(imported_preview(engine, report, settings)), soft_wrap=True)


@campaign_app.command("preview")
@with_options(_campaign_input)
def campaign_preview(given: CampaignInput) -> None:
    """Read the recipients as create would and show counts, sizes, cost and send time;
    nothing is stored or queued."""
    try:
        preview = preview_campaign(given.spec, given.source)
    except FAILURES as exc:
        _fail(_reason(exc))
    print_preview(console, preview)


def _source(
    csv_path: Path | None,
    numbers: str | None,
    phone_column: str | None,
    encoding: str | None,
    delimiter: str | None,
) -> CsvSource | NumberList:
    if csv_path is None:
        return NumberList([n.strip() for n in (numbers or "").split(",") if n.strip()])
    return CsvSource(
        csv_path,
        phone_column,
        encoding=encoding,
        delimiter=named_delimiter(delimiter) if delimiter else None,
    )


@campaign_app.command("export")
def campaign_export(
    campaign_id: int,
    out: Annotated[Path, typer.Option("--out", help="File to write: .csv or .xlsx.")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="csv (UTF-8 with BOM) or xlsx; default: --out's suffix."),
    ] = None,
) -> None:
    """Every recipient's status, result code and title, times (Korea time), message as sent
    and variables, as CSV or an Excel workbook."""
    try:
        count = export_results(get_engine(get_settings().database_url), campaign_id, out, fmt)
    except (UnknownCampaign, UnknownFormat) as exc:
        _fail(str(exc))
    console.print(f"campaign {campaign_id}: {count} recipients written to {out}")


@campaign_app.command("cancel")
def campaign_cancel(
    campaign_id: int,
    wait: Annotated[float, typer.Option(help="Seconds to wait for the workers to finish.")] = 30,
) -> None:
    """Stop what has not been sent and withdraw provider reservations still ahead."""
    report = _report(campaign_id)
    if report.status in ("completed", "cancelled"):
        _fail(f"campaign {campaign_id} is already {report.status}")
    try:
        enqueue_cancel(get_settings(), campaign_id)
    except BrokerUnavailable as exc:
        _fail(f"{exc}; campaign {campaign_id} was not cancelled: try again once it is back")
    deadline = time.monotonic() + wait
    while report.status != "cancelled" and time.monotonic() < deadline:
        time.sleep(0.5)
        report = _report(campaign_id)
    views.print_report(console, report)


@campaign_app.command("pause")
def campaign_pause(campaign_id: int) -> None:
    """Stop sending now (a batch in flight finishes); results keep coming in."""
    try:
        pause_campaign(campaign_id)
    except NotPausable as exc:
        _fail(str(exc))
    console.print(f"campaign {campaign_id} paused: nothing more is sent until it is resumed")


@campaign_app.command("resume")
def campaign_resume(campaign_id: int) -> None:
    """Continue a paused campaign where it stopped."""
    try:
        status = resume_campaign(campaign_id)
    except NotPausable as exc:
        _fail(str(exc))
    console.print(f"campaign {campaign_id} resumed ({status})")


@campaign_app.command("resend")
def campaign_resend(
    campaign_id: int,
    only: Annotated[
        str, typer.Option(help="failed, undelivered (failed, expired, unknown) or retryable.")
    ] = "failed",
    template: Annotated[str | None, typer.Option(help="Another text (default: the same).")] = None,
) -> None:
    """Send again to part of a campaign: a new campaign, linked to it, of those recipients."""
    if only not in STATUSES:
        _fail(f"--only {only!r}: choose failed, undelivered or retryable")
    try:
        report = resend_campaign(campaign_id, only, template)  # type: ignore[arg-type]
    except (ValidationError, SpecError, ValueError) as exc:
        _fail(_reason(exc))
    console.print(f"re-send of campaign {campaign_id} ({only}):")
    views.print_import(console, report)


@campaign_app.command("status")
def campaign_status(campaign_id: int) -> None:
    """Counts by status and by result code, the send time, provider outages and what the
    campaign waits for."""
    report = _report(campaign_id)
    views.print_report(console, report, outage_lines(get_settings(), report))


@campaign_app.command("watch")
def campaign_watch(
    campaign_id: int,
    timeout: Annotated[
        float | None,
        typer.Option(help="Stop watching after this many seconds (default: once all are final)."),
    ] = None,
) -> None:
    """Show a progress bar and what the campaign waits for until every recipient is final,
    then the summary."""
    code = watch_campaign(console, lambda: _report(campaign_id), timeout)
    if code:
        raise typer.Exit(code=code)


def _report(campaign_id: int) -> CampaignReport:
    try:
        return campaign_report(get_engine(get_settings().database_url), campaign_id)
    except UnknownCampaign as exc:
        _fail(str(exc))


def _reason(exc: Exception) -> str:
    """The message of an error; a spec's validation errors by option, without pydantic's
    decoration."""
    if isinstance(exc, ValidationError):
        return option_errors(exc)
    return str(exc)


def _fail(message: str) -> NoReturn:
    console.print(f"[red]error:[/red] {message}", soft_wrap=True)  # one line, however long
    raise typer.Exit(code=2)


def main() -> None:
    """Console script entry point."""
    app()
