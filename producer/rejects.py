"""The rejects file: every row not imported, as CSV (UTF-8 with BOM) of line, raw row, reason."""

import csv
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from producer.cells import safe_cell

HEADER = ("line", "raw", "reason")


class RejectsFile:
    """Rejected rows written as they come; the file is only created for the first one."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.written = 0
        self._handle: IO[str] | None = None
        self._writer: Any = None

    def add(self, line: int, raw: str, reason: str) -> None:
        """Append one rejected row (a no-op without a path)."""
        if self.path is None:
            return
        if self._handle is None:
            self._handle = self.path.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._handle)
            self._writer.writerow(HEADER)
        self._writer.writerow((line, safe_cell(raw), reason))
        self.written += 1

    def close(self) -> None:
        """Flush and close the file, if one was opened."""
        if self._handle is not None:
            self._handle.close()

    def __enter__(self) -> "RejectsFile":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
