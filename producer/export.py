"""A campaign's results for a spreadsheet, one row per recipient, as CSV or an Excel workbook."""

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from producer.cells import Verbatim
from producer.csv_sheet import write_csv
from producer.report import UnknownCampaign
from producer.times import korea_time
from producer.xlsx_sheet import write_xlsx
from worker.db import campaigns, exporting
from worker.domain.codes import describe
from worker.domain.template import TemplateError, render

COLUMNS = (
    "phone",
    "status",
    "message_type",
    "provider",
    "result_code",
    "code_title",
    "outcome",
    "attempts",
    "accepted_at",
    "completed_at",
    "message",
)
Writer = Callable[[Path, Iterable[Sequence[object]]], int]
WRITERS: dict[str, Writer] = {"csv": write_csv, "xlsx": write_xlsx}


class UnknownFormat(ValueError):
    """An export format other than csv and xlsx."""


def format_of(out: Path, given: str | None = None) -> str:
    """`given` (csv or xlsx), else what the file's suffix says, else csv."""
    chosen = (given or out.suffix.lstrip(".") or "csv").lower()
    if given is None and chosen not in WRITERS:
        return "csv"
    if chosen not in WRITERS:
        raise UnknownFormat(f"--format {given!r}: choose csv or xlsx")
    return chosen


def export_results(engine: Engine, campaign_id: int, out: Path, fmt: str | None = None) -> int:
    """Write every recipient's status, type, code, times (Korea time) and message as sent to
    `out` (csv, or xlsx; by default from its suffix); return how many.

    Rows stream from a server-side cursor to the file, so memory stays flat for any campaign
    size. The variables follow as columns named as in the imported file (all recipients of a
    campaign share them: they come from one header).
    """
    writer = WRITERS[format_of(out, fmt)]
    with engine.connect() as conn:
        campaign = campaigns.get(conn, campaign_id)
        if campaign is None:
            raise UnknownCampaign(f"no campaign with id {campaign_id}")
        return writer(out, _table(campaign, exporting.outcomes(conn, campaign_id)))


def _table(campaign: Any, rows: Iterable[Any]) -> Iterator[list[object]]:
    """The header, then one row of cells per recipient."""
    titles = _Titles(campaign.provider)
    names: list[str] | None = None
    for row in rows:
        if names is None:
            names = list(row.variables or {})
            yield [*COLUMNS, *names]
        yield list(_cells(row, titles, names, campaign.template))
    if names is None:
        yield list(COLUMNS)


def _cells(row: Any, titles: "_Titles", names: list[str], template: str) -> Iterator[object]:
    variables = row.variables or {}
    yield Verbatim(row.phone)
    yield row.status
    yield row.message_type
    yield row.provider or ""
    yield row.result_code or ""
    yield titles.title(row.provider, row.result_code, row.result_family)
    yield row.result_outcome or ""
    yield row.attempts
    yield _korea(row.accepted_at)
    yield _korea(row.completed_at)
    yield _message(template, variables)
    yield from (variables.get(name, "") for name in names)


def _korea(value: datetime | None) -> datetime | None:
    return korea_time(value) if value else None


def _message(template: str, variables: dict[str, str]) -> str:
    """The text as sent (the worker renders it the same way); empty for a recipient whose
    values cannot fill it (never sent: its result code says why)."""
    try:
        return render(template, variables)
    except TemplateError:
        return ""


class _Titles:
    """Code titles, described once per (provider, code, family), in the result's own family."""

    def __init__(self, provider: str) -> None:
        self._provider = provider
        self._known: dict[tuple[str, str, str | None], str] = {}

    def title(self, provider: str | None, code: str | None, family: str | None) -> str:
        if not code:
            return ""
        key = (provider or self._provider, code, family)
        if key not in self._known:
            self._known[key] = describe(*key).title
        return self._known[key]
