"""Recipients given as records (a phone and its variables each), as the HTTP API takes them."""

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

from producer.columns import Columns
from producer.table import ProblemSink


@dataclass(frozen=True, slots=True)
class RecordList:
    """Records of one shape: `phone`, then the variables every record may carry."""

    records: list[dict[str, str]]

    def variables(self) -> set[str]:
        """Every variable name any record carries."""
        return {name for record in self.records for name in record if name != "phone"}

    def open(self) -> AbstractContextManager["RecordTable"]:
        """The records as a table of `phone` and the variables, in name order."""
        return _opened(RecordTable(self.records, sorted(self.variables())))


class RecordTable:
    """Records read as table rows, lines numbered from 1 (a missing variable is empty)."""

    def __init__(self, records: list[dict[str, str]], names: list[str]) -> None:
        self.columns = Columns(("phone", *names), 0)
        self.line = 0
        self.problems = 0
        self._records = records

    def records(self, on_problem: ProblemSink) -> Iterator[list[str]]:
        """Each record's phone, then its variables in column order."""
        names = self.columns.names[1:]
        for line, record in enumerate(self._records, start=1):
            self.line = line
            yield [str(record.get("phone", "")).strip(), *(str(record.get(n, "")) for n in names)]

    def progress(self) -> tuple[int, int]:
        """Records read of all records."""
        return self.line, len(self._records)

    def raw(self, values: list[str]) -> str:
        """The record as text, for the rejects report."""
        return ",".join(values)


@contextmanager
def _opened(table: RecordTable) -> Iterator[RecordTable]:
    yield table
