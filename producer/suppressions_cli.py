"""`bulksms suppressions`: list, add, remove and import the numbers never to message again."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from config.settings import get_settings
from producer.exits import fail
from producer.sources import SourceError
from producer.suppression_import import SuppressionImport, import_suppressions
from producer.times import korea_label
from worker.db import suppressions
from worker.db.engine import get_engine
from worker.db.types import utcnow
from worker.domain.phones import PhoneError, mask, normalise

suppressions_app = typer.Typer(
    help="The suppression list: numbers never messaged again.", no_args_is_help=True
)
console = Console()
SHOWN_BAD = 20
MANUAL = "bulksms"  # the source of entries added by hand


@suppressions_app.command("list")
def list_suppressions(
    limit: Annotated[int, typer.Option(min=1, help="How many entries, newest first.")] = 50,
    search: Annotated[
        str | None, typer.Option(help="Only numbers holding this one (or these digits).")
    ] = None,
    show_numbers: Annotated[bool, typer.Option(help="Show numbers whole, not masked.")] = False,
) -> None:
    """The latest entries: number (masked), reason, source and when it was added."""
    with _engine().connect() as conn:
        total = suppressions.count(conn)
        rows = suppressions.newest(conn, limit, _searched(search) if search else None)
    table = Table("number", "reason", "source", "added", title=f"{total:,} numbers suppressed")
    now = utcnow()
    for row in rows:
        number = row.phone if show_numbers else mask(row.phone)
        table.add_row(number, row.reason, row.source, korea_label(row.created_at, now))
    console.print(table)
    if search and not rows:
        console.print(f"no suppressed number holds {search!r}")


@suppressions_app.command("add")
def add_suppressions(
    numbers: Annotated[list[str], typer.Argument(help="Numbers, in any common form.")],
    reason: Annotated[str, typer.Option(help="Why they are never to be messaged.")] = (
        "added by an operator"
    ),
) -> None:
    """Put numbers on the suppression list (one already on it keeps its entry)."""
    phones = _normalised(numbers)
    rows = [{"phone": p, "reason": reason[:200], "source": MANUAL, "created_at": utcnow()}
            for p in phones]  # fmt: skip
    with _engine().begin() as conn:
        added = suppressions.add_new(conn, rows)
    console.print(f"{added} added to the suppression list, {len(phones) - added} already on it")


@suppressions_app.command("remove")
def remove_suppressions(
    numbers: Annotated[list[str], typer.Argument(help="Numbers, in any common form.")],
) -> None:
    """Take numbers off the suppression list: later campaigns may message them again."""
    phones = _normalised(numbers)
    with _engine().begin() as conn:
        removed = suppressions.remove(conn, phones)
    missing = [mask(phone) for phone in phones if phone not in removed]
    line = f"{len(removed)} removed from the suppression list"
    console.print(line + (f"; not on it: {', '.join(missing)}" if missing else ""))


@suppressions_app.command("import")
def import_file(
    csv_path: Annotated[Path, typer.Argument(help="CSV with a phone column.", metavar="CSV")],
    reason: Annotated[str, typer.Option(help="Why they are never to be messaged.")] = ("imported"),
    phone_column: Annotated[str | None, typer.Option(help="Name of the phone column.")] = None,
) -> None:
    """Every number of a CSV file onto the list, in one transaction; bad rows are listed."""
    try:
        result = import_suppressions(_engine(), csv_path, reason[:200], phone_column)
    except SourceError as exc:
        fail(str(exc))
    if not result.read:
        fail(f"{csv_path} holds no rows after its header: nothing was added")
    _print_import(csv_path, result)


def _print_import(path: Path, result: SuppressionImport) -> None:
    console.print(
        f"{path}: read {result.read:,}, added {result.added:,}, already on the list "
        f"{result.already:,}, bad rows {len(result.bad):,}"
    )
    for line, reason in result.bad[:SHOWN_BAD]:
        console.print(f"  line {line}: {reason}")
    if len(result.bad) > SHOWN_BAD:
        console.print(f"  … and {len(result.bad) - SHOWN_BAD} more bad rows")


def _normalised(numbers: list[str]) -> list[str]:
    """Each number as the list holds it (`010…`, E.164 abroad); one line and exit 2 naming
    the first that is not a mobile number, before anything changes."""
    try:
        return list(dict.fromkeys(normalise(n, international=True) for n in numbers))
    except PhoneError as exc:
        fail(f"{exc}: nothing was changed")


def _searched(text: str) -> str:
    """A whole number as the list holds it; else its digits (and a leading +) to look for."""
    try:
        return normalise(text, international=True)
    except PhoneError:
        return ("+" if text.strip().startswith("+") else "") + "".join(filter(str.isdigit, text))


def _engine() -> Engine:
    return get_engine(get_settings().database_url)
