"""A suppression list from a CSV file, stored in one transaction, bad rows reported."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine

from producer.sources import CsvSource, Table
from producer.table import Problem
from worker.db import suppressions
from worker.db.types import utcnow
from worker.domain.phones import PhoneError, normalise

CHUNK = 5_000


@dataclass
class SuppressionImport:
    """What importing a suppression file did: numbers new to the list, those already on it
    (or repeated in the file), and each bad row (line, reason)."""

    added: int = 0
    already: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)

    @property
    def read(self) -> int:
        """Rows read (blank ones not counted)."""
        return self.added + self.already + len(self.bad)


def import_suppressions(
    engine: Engine, path: Path, reason: str, phone_column: str | None = None
) -> SuppressionImport:
    """Every number of the file onto the suppression list (a listed one keeps its entry).

    SourceError (a SpecError) when the file cannot be read as a table with a phone column;
    nothing is stored then, nor when anything fails before the end.
    """
    result = SuppressionImport()
    entry = {"reason": reason, "source": f"csv {path.name}"[:40]}
    with CsvSource(path, phone_column).open() as table, engine.begin() as conn:
        chunk: list[dict[str, object]] = []
        for phone in _numbers(table, result):
            chunk.append({**entry, "phone": phone})
            if len(chunk) >= CHUNK:
                _store(conn, chunk, result)
        _store(conn, chunk, result)
    return result


def _numbers(table: Table, result: SuppressionImport) -> Iterator[str]:
    """Each good row's number, normalised (Korean `010…`, E.164 abroad); the bad rows go to
    `result.bad`."""

    def bad(problem: Problem) -> None:
        result.bad.append((problem.line, problem.reason))

    for values in table.records(bad):
        if not any(values):
            continue  # a row of empty cells is a blank line
        try:
            yield normalise(values[table.columns.phone], international=True)
        except PhoneError as exc:
            result.bad.append((table.line, str(exc)))


def _store(conn: Connection, chunk: list[dict[str, object]], result: SuppressionImport) -> None:
    now = utcnow()
    rows = list({row["phone"]: {**row, "created_at": now} for row in chunk}.values())
    added = suppressions.add_new(conn, rows)
    result.added += added
    result.already += len(chunk) - added
    chunk.clear()
