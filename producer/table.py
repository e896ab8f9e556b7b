"""A CSV file as a header and a stream of well-formed records; malformed ones become problems."""

import csv
import io
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain, repeat
from typing import BinaryIO

from producer.columns import Columns, HeaderError, map_header
from producer.textlines import MAX_LINE, BinaryData, TextLines

DELIMITERS = (",", "\t", ";")
DELIMITER_NAMES = {"comma": ",", "tab": "\t", "\\t": "\t", "semicolon": ";"}
RAW_LIMIT = 1_000
# What bad bytes become: surrogate escapes of undecodable bytes, and NUL.
_NOT_TEXT = re.compile("[\x00\udc80-\udcff]")


@dataclass(frozen=True, slots=True)
class Problem:
    """A record that could not be read: where, what it looked like, and why."""

    line: int
    raw: str
    reason: str


ProblemSink = Callable[[Problem], None]


def named_delimiter(text: str) -> str:
    """`,`, `;`, a tab, or a name for one (comma, semicolon, tab, \\t)."""
    delimiter = DELIMITER_NAMES.get(text.lower(), text)
    if len(delimiter) != 1:
        raise HeaderError(f"delimiter {text!r} is not one character (or comma, tab, semicolon)")
    return delimiter


def detect_delimiter(line: str) -> str:
    """The most frequent of comma, tab and semicolon in the header line (comma on a tie)."""
    best = max(DELIMITERS, key=line.count)
    return best if line.count(best) else ","


class CsvTable:
    """The records of a CSV file after its header, stripped, each as wide as the header.

    A record of the wrong width, with bytes that are not text, or that csv cannot parse is
    handed to the problem sink with its line and the reading goes on with the next one.
    """

    def __init__(
        self,
        handle: BinaryIO,
        encoding: str | None = None,
        delimiter: str | None = None,
        phone_column: str | None = None,
    ) -> None:
        self.lines = TextLines(handle, encoding)
        lines = iter(self.lines)
        blanks, first = _first_line(lines)
        self.delimiter = delimiter or detect_delimiter(first)
        # Leading blank lines go through csv too, so that its line numbers stay the file's.
        rest = chain(repeat("\n", blanks), [first], lines)
        self._reader = csv.reader(rest, delimiter=self.delimiter)
        header = next(values for values in self._reader if any(v.strip() for v in values))
        if self.lines.dirty and _not_text(header, self.encoding):
            raise BinaryData(f"its header row holds bytes that are not {self.encoding} text")
        self.columns: Columns = map_header(header, phone_column)
        self.line = self._reader.line_num
        self.problems = 0
        self.size = _size(handle)

    @property
    def encoding(self) -> str:
        """The encoding read (ASCII-only files report utf-8)."""
        return self.lines.encoding or "utf-8"

    def progress(self) -> tuple[int, int]:
        """Bytes read of the file's size."""
        return self.lines.bytes_read, self.size

    def raw(self, values: list[str]) -> str:
        """A record written back as the file had it (near enough: quoting may differ)."""
        return _raw(values, self.delimiter)

    def records(self, on_problem: ProblemSink) -> Iterator[list[str]]:
        """Well-formed records in file order; `self.line` is the first line of the last one."""
        reader, width, lines = self._reader, len(self.columns.names), self.lines
        end = reader.line_num
        while True:
            try:
                for values in reader:
                    self.line, end = end + 1, reader.line_num
                    if len(values) != width or lines.dirty:
                        values = self._odd(values, width, on_problem)
                        if values is None:
                            continue
                    yield [value.strip() for value in values]
                break
            except csv.Error as exc:
                self.line, end = end + 1, reader.line_num
                self._problem(on_problem, "", f"malformed CSV: {exc}")
        while lines.long_lines:
            self._long_line(on_problem)

    def _odd(self, values: list[str], width: int, on_problem: ProblemSink) -> list[str] | None:
        """A record that needs a closer look: blank, too wide, too narrow, or not text."""
        if not any(value.strip() for value in values):
            if self.lines.long_lines and not values:
                self._long_line(on_problem)
            return None
        if self.lines.dirty and (reason := _not_text(values, self.encoding)):
            self._problem(on_problem, _raw(values, self.delimiter), reason)
            return None
        if len(values) > width and not any(value.strip() for value in values[width:]):
            return values[:width]  # trailing empty cells, as spreadsheets often write
        if len(values) != width:
            reason = f"expected {width} columns, found {len(values)}"
            self._problem(on_problem, _raw(values, self.delimiter), reason)
            return None
        return values

    def _long_line(self, on_problem: ProblemSink) -> None:
        long = self.lines.long_lines.pop(0)
        reason = f"line is {long.size:,} bytes long; a row may take at most {MAX_LINE:,} bytes"
        self._problem(on_problem, long.head + "…", reason)

    def _problem(self, on_problem: ProblemSink, raw: str, reason: str) -> None:
        self.problems += 1
        on_problem(Problem(self.line, raw, reason))


def _size(handle: BinaryIO) -> int:
    try:
        return os.fstat(handle.fileno()).st_size
    except (OSError, io.UnsupportedOperation):
        return 0


def _first_line(lines: Iterator[str]) -> tuple[int, str]:
    """How many blank lines come first, and the first line that is not blank."""
    for blanks, line in enumerate(lines):
        if line.strip():
            return blanks, line
    raise HeaderError("the file is empty; expected a header row")


def _not_text(values: list[str], encoding: str = "utf-8") -> str | None:
    """Why `values` are not text (undecodable bytes or NUL), or None."""
    for value in values:
        if found := _NOT_TEXT.search(value):
            if found.group() == "\x00":
                return "contains a NUL byte (binary data?)"
            return f"undecodable bytes (not valid {encoding})"
    return None


def _raw(values: list[str], delimiter: str) -> str:
    """The record written back as CSV, bad bytes as \\xNN, cut to RAW_LIMIT characters."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="").writerow(values)
    return _NOT_TEXT.sub(_escaped, out.getvalue()[:RAW_LIMIT])


def _escaped(found: re.Match[str]) -> str:
    """An undecodable byte (or NUL) as `\\xNN`."""
    code = ord(found.group())
    return f"\\x{code - 0xDC00 if code >= 0xDC00 else code:02x}"
