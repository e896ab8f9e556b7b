"""Recipient sources: a CSV file with a phone column, or a plain list of numbers."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Header names that hold the phone number, Korean and English (compared case-folded).
PHONE_HEADERS = (
    "phone",
    "mobile",
    "to",
    "number",
    "msisdn",
    "전화번호",
    "휴대폰",
    "핸드폰",
    "휴대폰번호",
    "핸드폰번호",
    "연락처",
)


class SourceError(ValueError):
    """A recipient source that cannot be read at all."""


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One recipient as read: where it came from, the raw number and its variables."""

    line: int
    phone: str
    variables: dict[str, str]
    error: str | None = None


@dataclass(frozen=True, slots=True)
class CsvSource:
    """A UTF-8 CSV file with a header row; every column but the phone is a variable."""

    path: Path
    phone_column: str | None = None

    def header(self) -> list[str]:
        """The header row, stripped of a BOM."""
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            first = next(csv.reader(handle), None)
        if not first:
            raise SourceError(f"{self.path}: the file is empty; expected a header row")
        return [name.strip() for name in first]

    def variables(self) -> set[str]:
        """The names the template may use: every column except the phone column."""
        phone = self._phone_column(self.header())
        return {name for name in self.header() if name != phone}

    def rows(self) -> Iterator[SourceRow]:
        """Each data row in file order; a row with the wrong column count is an error row."""
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [name.strip() for name in next(reader)]
            phone = self._phone_column(header)
            for values in reader:
                if not any(v.strip() for v in values):
                    continue
                yield _row(reader.line_num, header, phone, values)

    def _phone_column(self, header: list[str]) -> str:
        if self.phone_column:
            if self.phone_column not in header:
                raise SourceError(f"{self.path}: no column {self.phone_column!r} in {header}")
            return self.phone_column
        for name in header:
            if name.casefold() in PHONE_HEADERS:
                return name
        raise SourceError(
            f"{self.path}: no phone column among {header}; name it with --phone-column"
        )


def _row(line: int, header: list[str], phone: str, values: list[str]) -> SourceRow:
    if len(values) != len(header):
        reason = f"expected {len(header)} columns, found {len(values)}"
        return SourceRow(line, "", {}, error=reason)
    record = dict(zip(header, (v.strip() for v in values), strict=True))
    number = record.pop(phone)
    return SourceRow(line, number, record)


@dataclass(frozen=True, slots=True)
class NumberList:
    """Numbers given directly (no variables)."""

    numbers: list[str]

    def variables(self) -> set[str]:
        """A plain list carries no variables."""
        return set()

    def rows(self) -> Iterator[SourceRow]:
        """One row per number, numbered from 1."""
        for index, number in enumerate(self.numbers, start=1):
            yield SourceRow(index, number, {})
