"""A preview's scratch table: would-be recipients counted in SQL, then rolled back unkept."""

import csv
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, text

from worker.db.models import Suppression

SCRATCH = "preview_row"
# One row per good record: its number as stored, message type, position among the good rows
# (file order), line, EUC-KR bytes (Korean types) or SMS parts (abroad), and 1 when it became
# an LMS only once its variables were filled in.
ScratchRow = tuple[str, str, int, int, int | None, int | None, int]
COLUMNS = "phone, kind, seq, line, bytes, parts, grew"
_DDL = (
    f"CREATE TEMPORARY TABLE {SCRATCH} (phone text NOT NULL, kind text NOT NULL, "
    "seq bigint NOT NULL, line bigint NOT NULL, bytes integer, parts integer, "
    "grew smallint NOT NULL)"
)
# Each number's first row, which is the one the import keeps (ON CONFLICT DO NOTHING in file
# order), and whether the number is on the suppression list.
_FIRST = (
    "WITH numbered AS (SELECT s.*, row_number() OVER (PARTITION BY phone ORDER BY seq) AS n "
    f"FROM {SCRATCH} AS s), "
    "first_rows AS (SELECT numbered.*, CASE WHEN listed.phone IS NULL THEN 0 ELSE 1 END AS listed "
    f"FROM numbered LEFT JOIN {Suppression.__tablename__} AS listed "
    "ON listed.phone = numbered.phone WHERE n = 1) "
)


@dataclass(frozen=True, slots=True)
class Group:
    """Numbers (each counted by its first row) alike in listing, type, size and growth."""

    listed: bool
    kind: str
    bucket: int | None  # index of the byte-size bucket; None abroad (sized in parts)
    grew: bool
    count: int
    parts: int


class Scratch:
    """A temporary table on a connection of its own; its transaction is never committed."""

    ddl = _DDL

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        conn.execute(text(self.ddl))

    def add(self, rows: Sequence[ScratchRow]) -> None:
        """Append rows (executemany; PostgreSQL overrides it with COPY)."""
        if rows:
            insert = f"INSERT INTO {SCRATCH} ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
            self._conn.connection.driver_connection.executemany(insert, rows)

    def groups(self, bounds: Sequence[int]) -> list[Group]:
        """The numbers by listing, type, byte bucket (upper `bounds`, then one past them) and
        growth, with the SMS parts they take: one pass over the table."""
        query = (
            f"{_FIRST}SELECT listed, kind, {_bucket(bounds)} AS bucket, grew, count(*), "
            "coalesce(sum(parts), 0) FROM first_rows GROUP BY 1, 2, 3, 4"
        )
        return [
            Group(bool(listed), kind, bucket, bool(grew), int(count), int(parts))
            for listed, kind, bucket, grew, count, parts in self._conn.execute(text(query))
        ]

    def grown(self, limit: int) -> list[Any]:
        """(line, phone, bytes) of the first numbers not listed that became an LMS only
        once filled in, in file order."""
        query = (
            f"{_FIRST}SELECT line, phone, bytes FROM first_rows "
            "WHERE listed = 0 AND grew = 1 ORDER BY seq LIMIT :limit"
        )
        return list(self._conn.execute(text(query), {"limit": limit}))

    def close(self) -> None:
        """Forget everything: the table goes with the rolled-back transaction."""
        self._conn.rollback()


class PgScratch(Scratch):
    """The PostgreSQL scratch table, filled with COPY; ON COMMIT DROP, though it is never
    committed: the rollback drops it."""

    ddl = f"{_DDL} ON COMMIT DROP"

    def add(self, rows: Sequence[ScratchRow]) -> None:
        """COPY the rows in as CSV (an empty cell is NULL)."""
        if not rows:
            return
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        copy_in = f"COPY {SCRATCH} ({COLUMNS}) FROM STDIN (FORMAT csv)"
        dbapi = self._conn.connection.driver_connection
        with dbapi.cursor() as cursor, cursor.copy(copy_in) as copy:
            copy.write(buffer.getvalue())


class SqliteScratch(Scratch):
    """The SQLite scratch table: pysqlite runs the CREATE outside the transaction, so it is
    dropped after the rollback, or a pooled connection would keep it."""

    def close(self) -> None:
        """Roll back the rows, then drop the table."""
        self._conn.rollback()
        self._conn.execute(text(f"DROP TABLE IF EXISTS temp.{SCRATCH}"))
        self._conn.commit()


@contextmanager
def scratch(engine: Engine) -> Iterator[Scratch]:
    """A scratch table for one preview; nothing of it outlives the block."""
    with engine.connect() as conn:
        chosen = PgScratch(conn) if conn.dialect.name == "postgresql" else SqliteScratch(conn)
        try:
            yield chosen
        finally:
            chosen.close()


def _bucket(bounds: Sequence[int]) -> str:
    """SQL for the index of the first bound a row's bytes fit under (len(bounds) past all)."""
    whens = " ".join(
        f"WHEN bytes <= {int(bound)} THEN {index}" for index, bound in enumerate(bounds)
    )
    return f"CASE WHEN bytes IS NULL THEN NULL {whens} ELSE {len(bounds)} END"
