"""The `bulksms` command: create campaigns, watch them, report on them, prepare the database."""

import time
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from config.settings import get_settings
from producer import views
from producer.campaigns import SpecError, create_campaign
from producer.codes_cli import codes_app
from producer.report import CampaignReport, UnknownCampaign, campaign_report
from producer.sources import CsvSource, NumberList, SourceError
from producer.spec import CampaignSpec
from worker.db import migrate
from worker.db.engine import get_engine

app = typer.Typer(
    help="Bulk SMS campaigns through Korean messaging providers.", no_args_is_help=True
)
campaign_app = typer.Typer(help="Create and follow campaigns.", no_args_is_help=True)
db_app = typer.Typer(help="Prepare the database.", no_args_is_help=True)
app.add_typer(campaign_app, name="campaign")
app.add_typer(db_app, name="db")
app.add_typer(codes_app, name="codes")
console = Console()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the schema (alembic) at BULKSMS_DATABASE_URL."""
    migrate.upgrade(get_settings().database_url)
    console.print("database schema is up to date")


@campaign_app.command("create")
def campaign_create(
    sender: Annotated[str, typer.Option("--from", help="Registered caller id, digits.")],
    template: Annotated[str, typer.Option(help="Message text; {column} takes a CSV value.")],
    csv_path: Annotated[Path | None, typer.Option("--csv", help="CSV with a phone column.")] = None,
    numbers: Annotated[str | None, typer.Option(help="Comma-separated numbers instead.")] = None,
    name: Annotated[str, typer.Option(help="Campaign name.")] = "campaign",
    message_type: Annotated[str, typer.Option("--type", help="SMS, LMS, MMS or AUTO.")] = "AUTO",
    subject: Annotated[str | None, typer.Option(help="Subject (LMS/MMS).")] = None,
    phone_column: Annotated[str | None, typer.Option(help="Name of the phone column.")] = None,
) -> None:
    """Create a campaign from a CSV file or a list of numbers and queue it."""
    if (csv_path is None) == (numbers is None):
        _fail("give exactly one of --csv or --numbers")
    source = (
        CsvSource(csv_path, phone_column)
        if csv_path
        else NumberList([n.strip() for n in (numbers or "").split(",") if n.strip()])
    )
    try:
        spec = CampaignSpec(
            name=name,
            sender=sender,
            template=template,
            message_type=message_type.upper(),
            subject=subject,
        )
        report = create_campaign(spec, source)
    except (ValidationError, SpecError, SourceError) as exc:
        _fail(str(exc))
    views.print_import(console, report)


@campaign_app.command("status")
def campaign_status(campaign_id: int) -> None:
    """Counts by status and by result code for one campaign."""
    views.print_report(console, _report(campaign_id))


@campaign_app.command("watch")
def campaign_watch(
    campaign_id: int,
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds.")] = 3600,
) -> None:
    """Show a progress bar until every recipient is final, then the summary."""
    report = _report(campaign_id)
    deadline = time.monotonic() + timeout
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:.0f}/s"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(f"campaign {campaign_id}", total=report.total, rate=0.0)
        while report.status != "completed" and time.monotonic() < deadline:
            time.sleep(0.5)
            report = _report(campaign_id)
            progress.update(
                task,
                completed=report.final,
                rate=report.throughput,
                description=f"campaign {campaign_id} {report.status}",
            )
    views.print_report(console, report)
    if report.status != "completed":
        _fail(f"campaign {campaign_id} did not complete within {timeout:.0f} s")


def _report(campaign_id: int) -> CampaignReport:
    try:
        return campaign_report(get_engine(get_settings().database_url), campaign_id)
    except UnknownCampaign as exc:
        _fail(str(exc))


def _fail(message: str) -> NoReturn:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code=2)


def main() -> None:
    """Console script entry point."""
    app()
