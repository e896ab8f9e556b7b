"""The import loop: each record's number and message checked, good rows handed on in chunks."""

from collections.abc import Callable

from producer.composer import Composer
from producer.numbers import NumberReader
from producer.sources import Table
from producer.table import Problem
from worker.db.bulk import Loader
from worker.domain.messages import MessageError
from worker.domain.phones import PhoneError, fast_kr_mobile, normalise
from worker.domain.template import TemplateError

CHUNK = 20_000
# The first chunk is small, so that the first batches can be planned and sent while the rest
# of the file is still read (a chunk is committed as it lands).
FIRST_CHUNK = 2_000

Reject = Callable[[int, str, str], None]
# Rows read so far, then progress through the source (bytes, or numbers) and its total.
ProgressFn = Callable[[int, int, int], None]


def load_rows(
    table: Table,
    composer: Composer,
    loader: Loader,
    reject: Reject,
    progress: ProgressFn | None = None,
    numbers: NumberReader | None = None,
) -> int:
    """Hand every good record to `loader`, `reject` the others; return records read.

    This loop runs once per row, so it stays flat: a clean `010` number takes the fast
    path, anything else goes through phonenumbers (`numbers`: Korean numbers only, if None).
    """
    phone = table.columns.phone
    read = numbers.read if numbers is not None else _korean(phone)
    chunk: list[list[object]] = []
    good = failed = 0

    def on_problem(problem: Problem) -> None:
        reject(problem.line, problem.raw, problem.reason)

    for values in table.records(on_problem):
        try:
            number = read(values)
            kind = composer.kind_abroad(values) if number[0] == "+" else composer.kind(values)
        except (PhoneError, TemplateError, MessageError) as exc:
            if not any(values):
                continue  # a row of empty cells (",,,") is a blank line, not a recipient
            failed += 1
            reject(table.line, table.raw(values), str(exc))
            continue
        values[phone] = number
        values.append(kind)
        values.append(good)
        good += 1
        chunk.append(values)
        if len(chunk) >= (CHUNK if good > FIRST_CHUNK else FIRST_CHUNK):
            loader.write(chunk)
            chunk = []
            _report(progress, table, good + failed + table.problems)
    loader.write(chunk)
    _report(progress, table, good + failed + table.problems)
    return good + failed + table.problems


def _report(progress: ProgressFn | None, table: Table, read: int) -> None:
    if progress is not None:
        done, total = table.progress()
        progress(read, done, total)


def _korean(phone: int) -> Callable[[list[str]], str]:
    def read(values: list[str]) -> str:
        return fast_kr_mobile(values[phone]) or normalise(values[phone])

    return read
