"""A campaign's results as CSV for Excel: UTF-8 with BOM, one row per recipient, formula-safe."""

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from producer.cells import safe_cell
from producer.report import UnknownCampaign
from worker.db import campaigns, exporting
from worker.domain.codes import describe

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
)


def export_results(engine: Engine, campaign_id: int, out: Path) -> int:
    """Write every recipient's final status, type, code and times to `out`; return how many.

    Rows stream from a server-side cursor, so memory stays flat for any campaign size.
    The variables follow as columns named as in the imported file (all recipients of a
    campaign share them: they come from one header).
    """
    with engine.connect() as conn:
        campaign = campaigns.get(conn, campaign_id)
        if campaign is None:
            raise UnknownCampaign(f"no campaign with id {campaign_id}")
        rows = exporting.outcomes(conn, campaign_id)
        with out.open("w", encoding="utf-8-sig", newline="") as handle:
            return _write(csv.writer(handle), _Titles(campaign.provider), rows)


def _write(writer: Any, titles: "_Titles", rows: Iterable[Any]) -> int:
    count = 0
    names: list[str] | None = None
    for row in rows:
        if names is None:
            names = list(row.variables or {})
            writer.writerow([*COLUMNS, *names])
        writer.writerow([safe_cell(value) for value in _cells(row, titles, names)])
        count += 1
    if names is None:
        writer.writerow(COLUMNS)
    return count


def _cells(row: Any, titles: "_Titles", names: list[str]) -> Iterator[object]:
    variables = row.variables or {}
    yield row.phone
    yield row.status
    yield row.message_type
    yield row.provider or ""
    yield row.result_code or ""
    yield titles.title(row.provider, row.result_code, row.result_family)
    yield row.result_outcome or ""
    yield row.attempts
    yield _time(row.accepted_at)
    yield _time(row.completed_at)
    yield from (variables.get(name, "") for name in names)


def _time(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


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
