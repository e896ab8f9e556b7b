"""An export's rows as CSV for Excel: UTF-8 with BOM, numbers as text, formula-safe."""

import csv
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from producer.cells import Verbatim, excel_text, safe_cell


def write_csv(out: Path, rows: Iterable[Sequence[object]]) -> int:
    """Write the header and rows to `out` as they come (UTF-8 with BOM, so that Excel shows
    Korean text); return the rows after the header."""
    written = -1
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow([_cell(value) for value in row])
            written += 1
    return max(written, 0)


def _cell(value: object) -> object:
    if isinstance(value, Verbatim):
        return excel_text(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if value is None:
        return ""
    return safe_cell(value)
