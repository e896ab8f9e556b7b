"""Bulk recipient loading (COPY on PostgreSQL, executemany on SQLite), first number wins."""

import csv
import io
import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Protocol

from psycopg import sql
from sqlalchemy import Connection, select

from worker.db.models import Batch, Recipient

# Rows are lists: the file's columns (the phone column already normalised), then the
# message type, then a sequence number giving file order.
Row = list[Any]
STAGING = "recipient_staging"
# Chunks waiting for the PostgreSQL writer thread; bounds memory to a few chunks.
QUEUED_CHUNKS = 2


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
def recipient_loader(conn: Connection, load: RecipientLoad) -> Iterator[Loader]:
    """A loader inside `conn`'s transaction: COPY on PostgreSQL, executemany elsewhere.

    On leaving the block every written row is in `recipient` (or, on an error, the loader
    has stopped and the caller's transaction is left to roll back)."""
    dbapi = conn.connection.driver_connection
    chosen: Loader = (
        PgLoader(dbapi, load) if conn.dialect.name == "postgresql" else (SqliteLoader(dbapi, load))
    )
    try:
        yield chosen
    except BaseException:
        chosen.abort()
        raise
    chosen.finish()


class SqliteLoader:
    """INSERT OR IGNORE in large executemany calls: the first row of a number wins."""

    def __init__(self, dbapi: Any, load: RecipientLoad) -> None:
        self._cursor = dbapi.cursor()
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
        """Insert the rows in file order."""
        self._cursor.executemany(self._sql, map(self._params, rows))

    def _params(self, row: Row) -> list[Any]:
        phone, *values, kind = self._pick(row)
        pairs = [item for pair in zip(self._names, values, strict=True) for item in pair]
        return [phone, *pairs, kind]

    def finish(self) -> None:
        """Nothing is buffered."""
        self._cursor.close()

    def abort(self) -> None:
        """Nothing is buffered."""
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

    def __init__(self, dbapi: Any, load: RecipientLoad) -> None:
        self._dbapi = dbapi
        columns = [sql.Identifier(f"c{i}") for i in range(load.width)]
        with dbapi.cursor() as cursor:
            cursor.execute(_staging_ddl(columns))
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
        with self._dbapi.cursor() as cursor:
            cursor.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(STAGING)))

    def abort(self) -> None:
        """Stop the writer thread after a failure in the caller; rows written are not kept."""
        self._error = self._error or RuntimeError("recipient load abandoned")
        self._chunks.put(None)
        self._thread.join()

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
        cursor.execute(self._merge)
        cursor.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(STAGING)))

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error


def _staging_ddl(columns: list[sql.Identifier]) -> sql.Composed:
    text_columns = sql.SQL(", ").join(sql.SQL("{} text").format(c) for c in columns)
    return sql.SQL(
        "CREATE TEMPORARY TABLE {} ({}, message_type text, seq bigint) ON COMMIT DROP"
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
    return sql.SQL(
        "INSERT INTO recipient (campaign_id, phone, variables, message_type, status, attempts) "
        "SELECT {campaign}, {phone}, {variables}, message_type, 'pending', 0 "
        "FROM {staging} ORDER BY {phone}, seq "
        "ON CONFLICT (campaign_id, phone) DO NOTHING"
    ).format(
        campaign=sql.Literal(load.campaign_id),
        phone=sql.Identifier(f"c{load.phone}"),
        variables=variables,
        staging=sql.Identifier(STAGING),
    )


def _json_object(load: RecipientLoad) -> sql.Composed:
    keys = sql.SQL(", ").join(sql.Literal(name) for name in load.variables)
    values = sql.SQL(", ").join(sql.Identifier(f"c{i}") for i in load.variables.values())
    return sql.SQL("json_object(ARRAY[{}]::text[], ARRAY[{}]::text[])").format(keys, values)


def result_rows(conn: Connection, campaign_id: int, per_fetch: int = 5_000) -> Iterator[Any]:
    """Every recipient of a campaign with its result, in id order, streamed from the server."""
    query = (
        select(
            Recipient.phone,
            Recipient.status,
            Recipient.result_code,
            Recipient.result_family,
            Recipient.result_outcome,
            Recipient.attempts,
            Recipient.accepted_at,
            Recipient.completed_at,
            Recipient.variables,
            Batch.provider,
        )
        .select_from(Recipient)
        .outerjoin(Batch, Batch.id == Recipient.batch_id)
        .where(Recipient.campaign_id == campaign_id)
        .order_by(Recipient.id)
    )
    result = conn.execution_options(stream_results=True, yield_per=per_fetch).execute(query)
    yield from result
