"""The import's progress bar: bytes of the file read, rows and rows per second."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from producer.loading import ProgressFn


@contextmanager
def import_progress(console: Console) -> Iterator[ProgressFn]:
    """A rich progress bar, and the function the import calls after each chunk."""
    columns = (
        TextColumn("importing"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rows]:,} rows"),
        TextColumn("{task.fields[rate]:,.0f} rows/s"),
        TimeElapsedColumn(),
    )
    started = time.monotonic()
    # Transient: once the import ends, its summary (or its one error line) takes the bar's
    # place, and a file that yields nothing leaves that line alone.
    progress = Progress(*columns, console=console, transient=True)
    task = progress.add_task("import", total=None, rows=0, rate=0.0)

    def update(rows: int, done: int, total: int) -> None:
        if not progress.live.is_started:  # shown from the first chunk: an early error stands alone
            progress.start()
        rate = rows / max(time.monotonic() - started, 1e-9)
        progress.update(task, completed=done, total=total or None, rows=rows, rate=rate)

    try:
        yield update
    finally:
        if progress.live.is_started:
            progress.stop()
