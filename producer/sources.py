"""Recipient sources: a CSV file with a phone column, or a plain list of numbers."""

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from producer.columns import PHONE_HEADERS, Columns, HeaderError
from producer.spec_errors import SpecError
from producer.table import CsvTable, Problem, ProblemSink
from producer.textlines import BinaryData, EncodingError

__all__ = [
    "PHONE_HEADERS",
    "CsvSource",
    "NotText",
    "NumberList",
    "SourceError",
    "SourceRow",
    "Table",
]


class SourceError(SpecError):
    """A recipient source that cannot be read at all (so no campaign is made of it)."""


class NotText(SourceError):
    """A file that is not text (an image, a workbook, an archive renamed .csv)."""


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One recipient as read: where it came from, the raw number and its variables."""

    line: int
    phone: str
    variables: dict[str, str]
    error: str | None = None


class Table(Protocol):
    """An open source: its columns, then its records, each a list as wide as the columns."""

    columns: Columns
    line: int
    problems: int

    def records(self, on_problem: ProblemSink) -> Iterator[list[str]]: ...
    def progress(self) -> tuple[int, int]: ...
    def raw(self, values: list[str]) -> str: ...


@dataclass(frozen=True, slots=True)
class CsvSource:
    """A CSV file with a header row; every named column but the phone is a variable.

    Encoding (UTF-8, with or without BOM, or CP949/EUC-KR) and delimiter (comma, tab or
    semicolon) are detected unless given.
    """

    path: Path
    phone_column: str | None = None
    encoding: str | None = None
    delimiter: str | None = None

    def header(self) -> list[str]:
        """The header row's names, stripped."""
        with self.open() as table:
            return list(table.columns.names)

    def variables(self) -> set[str]:
        """The names the template may use: every named column except the phone column."""
        with self.open() as table:
            return set(table.columns.variables)

    @contextmanager
    def open(self) -> Iterator[CsvTable]:
        """The file, its header read and mapped; SourceError when that cannot be done."""
        try:
            handle = self.path.open("rb")
        except OSError as exc:
            raise SourceError(f"{self.path}: {exc.strerror or exc}") from None
        with handle:
            try:
                table = CsvTable(handle, self.encoding, self.delimiter, self.phone_column)
            except BinaryData as exc:
                raise NotText(f"{self.path} is not a text file ({exc})") from None
            except (HeaderError, EncodingError) as exc:
                raise SourceError(f"{self.path}: {exc}") from None
            yield table

    def rows(self) -> Iterator[SourceRow]:
        """Each record in file order; an unreadable record is an error row."""
        with self.open() as table:
            yield from _source_rows(table)


@dataclass(frozen=True, slots=True)
class NumberList:
    """Numbers given directly (no variables)."""

    numbers: list[str]

    def variables(self) -> set[str]:
        """A plain list carries no variables."""
        return set()

    def open(self) -> AbstractContextManager["ListTable"]:
        """The list as a one-column table."""
        return _just(ListTable(self.numbers))

    def rows(self) -> Iterator[SourceRow]:
        """One row per number, numbered from 1."""
        for index, number in enumerate(self.numbers, start=1):
            yield SourceRow(index, number, {})


class ListTable:
    """A list of numbers read as a table of one `phone` column, lines numbered from 1."""

    def __init__(self, numbers: list[str]) -> None:
        self.columns = Columns(("phone",), 0)
        self.line = 0
        self.problems = 0
        self._numbers = numbers

    def records(self, on_problem: ProblemSink) -> Iterator[list[str]]:
        """Each number, stripped."""
        for line, number in enumerate(self._numbers, start=1):
            self.line = line
            yield [number.strip()]

    def progress(self) -> tuple[int, int]:
        """Numbers read of all numbers."""
        return self.line, len(self._numbers)

    def raw(self, values: list[str]) -> str:
        """The number as given."""
        return values[0]


@contextmanager
def _just(table: ListTable) -> Iterator[ListTable]:
    yield table


def _source_rows(table: CsvTable) -> Iterator[SourceRow]:
    problems: list[Problem] = []
    phone, variables = table.columns.phone, table.columns.variables
    for values in table.records(problems.append):
        yield from _error_rows(problems)
        record = {name: values[index] for name, index in variables.items()}
        yield SourceRow(table.line, values[phone], record)
    yield from _error_rows(problems)


def _error_rows(problems: list[Problem]) -> Iterator[SourceRow]:
    yield from (SourceRow(p.line, "", {}, error=p.reason) for p in problems)
    problems.clear()
