"""An export's rows as an Excel workbook, streamed in openpyxl's write-only mode."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from producer.times import korea_time

# Excel dates have no zone: the cell holds Korean wall-clock time, and shows its offset.
KOREA_FORMAT = 'yyyy-mm-dd hh:mm:ss"+09:00"'


def write_xlsx(out: Path, rows: Iterable[Sequence[object]]) -> int:
    """Write the header and rows to a one-sheet workbook at `out`, row by row (no sheet is
    held in memory); return the rows after the header. Text is a text cell, never a formula
    (so nothing needs a quote, and a phone number keeps its leading 0); times are dates."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("recipients")
    written = -1
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
        written += 1
    book.save(out)
    return max(written, 0)


def _cell(sheet: WriteOnlyWorksheet, value: object) -> object:
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # "=…", "#N/A" and the like stay text, never run
        return cell
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, korea_time(value).replace(tzinfo=None))
        cell.number_format = KOREA_FORMAT
        return cell
    return value
