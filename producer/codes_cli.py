"""`bulksms codes`: explain and list the provider result codes of the reviewed catalogue."""

from collections import Counter
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from worker.domain.codes import (
    PROVIDERS,
    Outcome,
    ResultCode,
    catalogue_rows,
    families,
    matches,
)

codes_app = typer.Typer(help="Explain and list provider result codes.", no_args_is_help=True)
console = Console()

# What the dispatch system does with a recipient whose result has each class.
ACTIONS = {
    Outcome.DELIVERED: "nothing more to do",
    Outcome.PENDING: "polled again until a final result arrives",
    Outcome.RETRYABLE: (
        "re-sent later with backoff, within the attempt limit and the campaign deadline"
    ),
    Outcome.FAILED: "not re-sent",
}
SUPPRESSED_ACTION = (
    "not re-sent, and the number is added to the suppression list so later campaigns skip it"
)


def action(row: ResultCode) -> str:
    """What the system will do with a recipient that ends with `row`, in words."""
    if row.suppress:
        return f"{row.outcome} and suppressed: {SUPPRESSED_ACTION}"
    return f"{row.outcome}: {ACTIONS[row.outcome]}"


def _yes_no(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "-"}[value]


def _fail(message: str) -> NoReturn:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code=1)


def _check_provider(provider: str) -> None:
    if provider not in PROVIDERS:
        _fail(f"unknown provider {provider!r}; known: {', '.join(PROVIDERS)}")


def _print_row(row: ResultCode) -> None:
    table = Table(show_header=False, box=None, title=f"{row.provider} {row.family} {row.code}")
    fields = (
        ("title", row.title),
        ("meaning", row.description or "-"),
        ("family", row.family),
        ("class", row.outcome.value),
        ("suppress", _yes_no(row.suppress)),
        ("charged", _yes_no(row.charged)),
        ("reason", row.reason or "-"),
        ("system", action(row)),
    )
    for name, value in fields:
        table.add_row(f"[bold]{name}[/bold]", value)
    console.print(table)


@codes_app.command("explain")
def codes_explain(
    provider: Annotated[str, typer.Argument(help=f"One of {', '.join(PROVIDERS)}.")],
    code: Annotated[str, typer.Argument(help="The result code, as the provider sends it.")],
    family: Annotated[str | None, typer.Option(help="Only this code family.")] = None,
) -> None:
    """What a result code means and what the system does with it (every family that has it)."""
    _check_provider(provider)
    if family is not None and family not in families(provider):
        _fail(f"{provider} has no family {family!r}; known: {', '.join(families(provider))}")
    rows = [row for row in matches(provider, code) if family in (None, row.family)]
    if not rows:
        where = f" in family {family}" if family else ""
        _fail(f"{provider} has no code {code!r}{where}: it would be classed failed, never re-sent")
    if len(rows) > 1:
        named = ", ".join(row.family for row in rows)
        console.print(
            f"{code} is a code in {len(rows)} {provider} families ({named}); each means "
            "something else. Results carry their family; pick one with --family."
        )
    for row in rows:
        _print_row(row)


def _selected(provider: str, outcome: str | None, family: str | None) -> list[ResultCode]:
    try:
        wanted = Outcome(outcome) if outcome else None
    except ValueError:
        _fail(f"unknown class {outcome!r}; known: {', '.join(Outcome)}")
    if family is not None and family not in families(provider):
        _fail(f"{provider} has no family {family!r}; known: {', '.join(families(provider))}")
    return [
        row
        for row in catalogue_rows(provider)
        if wanted in (None, row.outcome) and family in (None, row.family)
    ]


def _print_summary(provider: str, rows: list[ResultCode]) -> None:
    counts = Counter((row.family, row.outcome) for row in rows)
    suppressed = Counter(row.family for row in rows if row.suppress)
    table = Table("family", *Outcome, "total", "suppress", title=f"{provider} codes by class")
    for family in families(provider):
        cells = [counts[(family, outcome)] for outcome in Outcome]
        table.add_row(family, *map(str, cells), str(sum(cells)), str(suppressed[family]))
    totals = [sum(counts[(f, outcome)] for f in families(provider)) for outcome in Outcome]
    totals += [len(rows), suppressed.total()]
    table.add_row("all", *map(str, totals), style="bold")
    console.print(table)


@codes_app.command("list")
def codes_list(
    provider: Annotated[str, typer.Option(help=f"One of {', '.join(PROVIDERS)}.")],
    outcome: Annotated[str | None, typer.Option("--class", help="Only this class.")] = None,
    family: Annotated[str | None, typer.Option(help="Only this code family.")] = None,
    summary: Annotated[bool, typer.Option(help="Counts by family and class instead.")] = False,
) -> None:
    """The catalogue of one provider as a table, or its counts by class (--summary)."""
    _check_provider(provider)
    rows = _selected(provider, outcome, family)
    if summary:
        _print_summary(provider, rows)
        return
    table = Table("family", "code", "title", "class", "suppress", "charged", "reason")
    for row in rows:
        table.add_row(
            row.family,
            row.code,
            row.title,
            row.outcome.value,
            _yes_no(row.suppress),
            _yes_no(row.charged),
            row.reason,
        )
    table.caption = f"{len(rows)} codes"
    console.print(table)
