"""Send again to part of a finished campaign: a new campaign, linked to its parent, of the
recipients whose outcome was chosen (the suppressed left out by the import as always)."""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine

from config.settings import Settings, get_settings
from producer.campaigns import ImportReport, SpecError, create_campaign
from producer.columns import Columns
from producer.spec import CampaignSpec
from producer.table import ProblemSink
from worker.db import campaigns, recipients
from worker.db import images as stored_images
from worker.db.engine import get_engine
from worker.domain.codes import Outcome, lookup

Only = Literal["failed", "undelivered", "retryable"]
# Which final states each selection reads; `retryable` then keeps the failures whose code
# says a later attempt could pass (they ran out of attempts or of the campaign's deadline).
STATUSES: dict[str, tuple[str, ...]] = {
    "failed": ("failed",),
    "undelivered": ("failed", "expired", "unknown"),
    "retryable": ("failed", "expired"),
}


def resend_spec(engine: Engine, parent_id: int, template: str | None = None) -> CampaignSpec:
    """The parent's spec (sender, text, type, provider, advertising) as a new campaign."""
    with engine.connect() as conn:
        parent = campaigns.get(conn, parent_id)
    if parent is None:
        raise SpecError(f"no campaign with id {parent_id}")
    return CampaignSpec(
        name=f"{parent.name} (re-send of {parent_id})"[:200],
        sender=parent.sender,
        template=template or parent.template,
        message_type="AUTO" if template else _declared(parent),
        content_type=parent.content_type,
        subject=parent.subject,
        provider=parent.provider,
        night_consent=bool(parent.night_consent),
        parent_id=parent_id,
    )


def _declared(parent: Any) -> str:
    return "AUTO" if parent.message_type in (None, "AUTO") else str(parent.message_type)


def resend_campaign(
    parent_id: int, only: Only, template: str | None = None, settings: Settings | None = None
) -> ImportReport:
    """Create and queue the re-send campaign; its import report."""
    settings = settings or get_settings()
    engine = get_engine(settings.database_url)
    spec = resend_spec(engine, parent_id, template)
    with _parent_images(engine, parent_id) as images:
        spec = spec.model_copy(update={"images": images}) if images else spec
        return create_campaign(spec, ParentSource(engine, parent_id, only), settings)


@contextmanager
def _parent_images(engine: Engine, parent_id: int) -> Iterator[list[Path]]:
    """An MMS parent's images as files for the new campaign (read and checked again)."""
    with engine.connect() as conn:
        found = stored_images.of_campaign(conn, parent_id)
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for index, image in enumerate(found):
            path = Path(folder) / f"{index}-{image.name}"
            path.write_bytes(image.data)
            paths.append(path)
        yield paths


@dataclass(frozen=True, slots=True)
class ParentSource:
    """The chosen recipients of a parent campaign as a recipient source (streamed)."""

    engine: Engine
    parent_id: int
    only: Only

    def variables(self) -> set[str]:
        """The parent's variable names."""
        with self.open() as table:
            return set(table.columns.variables)

    @contextmanager
    def open(self) -> Iterator["ParentTable"]:
        """The selection as a table: `phone`, then the parent's variables."""
        with self.engine.connect() as conn:
            rows = recipients.outcomes_of(conn, self.parent_id, STATUSES[self.only])
            yield ParentTable(_chosen(rows, self.only))


def _chosen(rows: Iterator[Any], only: Only) -> Iterator[Any]:
    for row in rows:
        if only != "retryable" or _retryable(row):
            yield row


def _retryable(row: Any) -> bool:
    if row.status == "expired":
        return True  # no result by the deadline: it may well pass another time
    code = lookup(row.provider, row.result_code or "", row.result_family or "")
    return code.outcome is Outcome.RETRYABLE


class ParentTable:
    """Rows of the parent as records; the variable names come from its first row."""

    def __init__(self, rows: Iterator[Any]) -> None:
        self._rows = rows
        self._first = next(rows, None)
        names = sorted((self._first.variables or {}) if self._first is not None else {})
        self.columns = Columns(("phone", *names), 0)
        self.line = 0
        self.problems = 0

    def records(self, on_problem: ProblemSink) -> Iterator[list[str]]:
        """Each chosen recipient: its number, then its variables in column order."""
        names = self.columns.names[1:]
        if self._first is not None:
            yield self._record(self._first, names)
        for row in self._rows:
            yield self._record(row, names)

    def _record(self, row: Any, names: tuple[str, ...]) -> list[str]:
        self.line += 1
        values = row.variables or {}
        return [row.phone, *(str(values.get(name, "")) for name in names)]

    def progress(self) -> tuple[int, int]:
        """Rows read (the total is not known while streaming)."""
        return self.line, 0

    def raw(self, values: list[str]) -> str:
        """The record as text, for the rejects report."""
        return ",".join(values)
