"""Bulk recipient loading (COPY on PostgreSQL, executemany on SQLite), first number wins.

Each chunk is committed on its own, so planning can start on the first committed chunk
while the rest is still being read; the caller learns of every commit (`on_commit`).
"""

import csv
import io
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Protocol

from psycopg import sql
from sqlalchemy import Engine

# Rows are lists: the file's columns (the phone column already normalised), then the
# message type, then a sequence number giving file order.
Row = list[Any]
STAGING = "recipient_staging"
# Chunks waiting for the PostgreSQL writer thread; bounds memory to a few chunks.
QUEUED_CHUNKS = 2


# Numbers on the suppression list are never messaged: they land as `suppressed` at once
# (on PostgreSQL inside the merge itself).
SUPPRESS = (
    "UPDATE recipient SET status = 'suppressed', result_outcome = 'suppressed', "
    "completed_at = {now} WHERE campaign_id = {campaign} AND id > {after} "
    "AND status = 'pending' AND phone IN (SELECT phone FROM suppression)"
)


@dataclass(frozen=True, slots=True)
class Landed:
    """What one committed chunk added: new recipients, and how many of them are suppressed."""

    inserted: int
    suppressed: int


OnCommit = Callable[[Landed], None]


class Loader(Protocol):
    """Takes chunks of rows for one campaign."""

    def write(self, rows: Sequence[Row]) -> None: ...
    def finish(self) -> None: ...
    def abort(self) -> None: ...


@dataclass(frozen=True, slots=True)
class RecipientLoad:
    """Where one campaign's recipients go, and the column layout the rows carry."""

    campaign_id: int
    width: int
    phone: int
    variables: dict[str, int]


@contextmanager
def recipient_loader(engine: Engine, load: RecipientLoad, on_commit: OnCommit) -> Iterator[Loader]:
    """A loader on a connection of its own: COPY on PostgreSQL, executemany elsewhere.

    Every chunk is committed as it lands (`on_commit` hears of it). On leaving the block every
    written row is in `recipient`; on an error the loader stops, and what was committed stays.
    """
    raw = engine.raw_connection()
    dbapi = raw.driver_connection
    chosen: Loader = (
        PgLoader(dbapi, load, on_commit)
        if engine.dialect.name == "postgresql"
        else SqliteLoader(dbapi, load, on_commit)
    )
    try:
        yield chosen
        chosen.finish()
    except BaseException:
        chosen.abort()
        raise
    finally:
        raw.close()


def _now() -> str:
    return "CURRENT_TIMESTAMP"


class SqliteLoader:
    """INSERT OR IGNORE in large executemany calls: the first row of a number wins."""

    def __init__(self, dbapi: Any, load: RecipientLoad, on_commit: OnCommit) -> None:
        self._dbapi = dbapi
        self._cursor = dbapi.cursor()
        self._campaign = load.campaign_id
        self._on_commit = on_commit
        names = list(load.variables)
        pairs = ", ".join("?, ?" for _ in names)
        variables = f"json_object({pairs})" if names else "NULL"
        self._sql = (
            "INSERT OR IGNORE INTO recipient "
            "(campaign_id, phone, variables, message_type, status, attempts) "
            f"VALUES ({load.campaign_id}, ?, {variables}, ?, 'pending', 0)"
        )
        self._names = names
        self._pick = itemgetter(load.phone, *load.variables.values(), load.width)

    def write(self, rows: Sequence[Row]) -> None:
        """Insert the rows in file order, suppress listed numbers, commit."""
        after = self._cursor.execute("SELECT coalesce(max(id), 0) FROM recipient").fetchone()[0]
        before = self._dbapi.total_changes
        self._cursor.executemany(self._sql, map(self._params, rows))
        inserted = self._dbapi.total_changes - before
        suppress = SUPPRESS.format(now=_now(), campaign=self._campaign, after=int(after))
        suppressed = self._cursor.execute(suppress).rowcount
        self._dbapi.commit()
        self._on_commit(Landed(inserted, suppressed))

    def _params(self, row: Row) -> list[Any]:
        phone, *values, kind = self._pick(row)
        pairs = [item for pair in zip(self._names, values, strict=True) for item in pair]
        return [phone, *pairs, kind]

    def finish(self) -> None:
        """Nothing is buffered: every chunk was committed as it came."""
        self._cursor.close()

    def abort(self) -> None:
        """Drop what the failed chunk left uncommitted."""
        self._dbapi.rollback()
        self._cursor.close()


class PgLoader:
    """COPY each chunk into a temporary staging table, then merge it into `recipient`.

    A writer thread does the COPY and the merge, so that the database inserts one chunk
    while the caller parses the next (the thread waits on the socket, outside the GIL).
    The merge inserts ordered by (number, file position) with ON CONFLICT DO NOTHING, so
    the first row of a number wins, within a chunk and across chunks, without Python
    remembering numbers. Inserting in number order keeps the unique index's inserts local
    (measured: 11.8 s → 8.5 s per million rows); recipients of one chunk are therefore
    numbered, and later sent, in number order rather than file order.
    """

    def __init__(self, dbapi: Any, load: RecipientLoad, on_commit: OnCommit) -> None:
        self._dbapi = dbapi
        self._on_commit = on_commit
        columns = [sql.Identifier(f"c{i}") for i in range(load.width)]
        self._drop_staging()  # a pooled session may still hold one from an import that broke
        with dbapi.cursor() as cursor:
            cursor.execute(_staging_ddl(columns))
        dbapi.commit()
        self._copy = _copy_statement(columns)
        self._merge = _merge_statement(load)
        self._chunks: queue.Queue[str | None] = queue.Queue(maxsize=QUEUED_CHUNKS)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="recipient-copy", daemon=True)
        self._thread.start()

    def write(self, rows: Sequence[Row]) -> None:
        """Queue the rows as CSV text for the writer thread (blocks while it is behind)."""
        self._raise_error()
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(rows)
        self._chunks.put(text.getvalue())

    def finish(self) -> None:
        """Wait for every queued chunk to be merged."""
        self._chunks.put(None)
        self._thread.join()
        self._raise_error()
        self._drop_staging()

    def abort(self) -> None:
        """The caller failed: what it handed over still lands (unless the database failed),
        so what was stored is exactly the chunks written; then the staging table goes."""
        self._chunks.put(None)
        self._thread.join()
        self._dbapi.rollback()
        self._drop_staging()

    def _drop_staging(self) -> None:
        with self._dbapi.cursor() as cursor:
            cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(STAGING)))
        self._dbapi.commit()

    def _run(self) -> None:
        with self._dbapi.cursor() as cursor:
            while (text := self._chunks.get()) is not None:
                if self._error is not None:
                    continue  # keep draining so that the producer never blocks forever
                try:
                    self._load(cursor, text)
                except BaseException as exc:  # handed to the producer thread
                    self._error = exc

    def _load(self, cursor: Any, text: str) -> None:
        with cursor.copy(self._copy) as copy:
            copy.write(text)
        inserted, suppressed = cursor.execute(self._merge).fetchone()
        self._dbapi.commit()  # the staging table empties itself on commit
        self._on_commit(Landed(inserted, suppressed))

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error


def _staging_ddl(columns: list[sql.Identifier]) -> sql.Composed:
    text_columns = sql.SQL(", ").join(sql.SQL("{} text").format(c) for c in columns)
    return sql.SQL(
        "CREATE TEMPORARY TABLE {} ({}, message_type text, seq bigint) ON COMMIT DELETE ROWS"
    ).format(sql.Identifier(STAGING), text_columns)


def _copy_statement(columns: list[sql.Identifier]) -> sql.Composed:
    # csv.writer leaves empty strings unquoted, which CSV COPY reads as NULL unless told not to.
    return sql.SQL("COPY {} FROM STDIN (FORMAT csv, FORCE_NOT_NULL ({}))").format(
        sql.Identifier(STAGING), sql.SQL(", ").join(columns)
    )


def _merge_statement(load: RecipientLoad) -> sql.Composed:
    pairs = [
        sql.SQL("{}, {}").format(sql.Literal(name), sql.Identifier(f"c{index}"))
        for name, index in load.variables.items()
    ]
    # json_build_object takes at most 100 arguments; json_object over two arrays takes any.
    variables = (
        sql.SQL("json_build_object({})").format(sql.SQL(", ").join(pairs))
        if 0 < len(pairs) <= 50
        else _json_object(load)
        if pairs
        else sql.SQL("NULL")
    )
    # A listed number lands as suppressed in the same statement: one write per row and no
    # second pass over the chunk (measured: the UPDATE after it cost a fifth of the import).
    listed = sql.SQL("listed.phone IS NOT NULL")
    return sql.SQL(
        "WITH landed AS ("
        "INSERT INTO recipient (campaign_id, phone, variables, message_type, status, "
        "result_outcome, completed_at, attempts) "
        "SELECT {campaign}, {phone}, {variables}, message_type, "
        "CASE WHEN {listed} THEN 'suppressed' ELSE 'pending' END, "
        "CASE WHEN {listed} THEN 'suppressed' END, CASE WHEN {listed} THEN now() END, 0 "
        "FROM {staging} LEFT JOIN suppression AS listed ON listed.phone = {phone} "
        "ORDER BY {phone}, seq "
        "ON CONFLICT (campaign_id, phone) DO NOTHING RETURNING status) "
        "SELECT count(*), count(*) FILTER (WHERE status = 'suppressed') FROM landed"
    ).format(
        campaign=sql.Literal(load.campaign_id),
        phone=sql.Identifier(STAGING, f"c{load.phone}"),
        variables=variables,
        staging=sql.Identifier(STAGING),
        listed=listed,
    )


def _json_object(load: RecipientLoad) -> sql.Composed:
    keys = sql.SQL(", ").join(sql.Literal(name) for name in load.variables)
    values = sql.SQL(", ").join(sql.Identifier(f"c{i}") for i in load.variables.values())
    return sql.SQL("json_object(ARRAY[{}]::text[], ARRAY[{}]::text[])").format(keys, values)
