"""Write one page of provider results onto a batch's recipients: one statement per page.

On PostgreSQL the page travels as arrays and is joined in with `UPDATE … FROM unnest(…)`, so
a thousand results are one round trip and one plan; elsewhere (SQLite) an executemany does
the same guarded update row by row. Either way a row is updated only while its recipient is
still in the old status, so applying a page twice changes nothing.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, text, update

from worker.db.members import BatchRef, closing, open_members, written_members
from worker.db.models import Recipient
from worker.domain.statuses import RecipientStatus

# The result fields a row carries (bound as b_<name>) and the recipient column each sets.
FIELDS = {
    "status": "status",
    "code": "result_code",
    "family": "result_family",
    "outcome": "result_outcome",
    "message_id": "message_id",
    "telco": "telco",
    "done": "completed_at",
    "next": "next_attempt_at",
}
_ARRAY_TYPES = {"done": "timestamptz", "next": "timestamptz"}


def apply(
    conn: Connection,
    batch: BatchRef,
    rows: Sequence[dict[str, Any]],
    old: RecipientStatus | None = None,
) -> int:
    """Each row's recipient (matched by number) leaves `old` (default: open in `batch`);
    returns how many changed."""
    if not rows:
        return 0
    if conn.dialect.name == "postgresql":
        return _unnest(conn, batch, rows, old)
    return _executemany(conn, batch, rows, old)


def _executemany(
    conn: Connection, batch: BatchRef, rows: Sequence[dict[str, Any]], old: RecipientStatus | None
) -> int:
    where = open_members(batch) if old is None else written_members(batch, old)
    statement = (
        update(Recipient)
        .where(where, Recipient.phone == bindparam("b_phone"))
        .values(
            **{column: bindparam(f"b_{name}") for name, column in FIELDS.items()},
            **closing(batch),
        )
    )
    return conn.execute(statement, list(rows)).rowcount


def _unnest(
    conn: Connection, batch: BatchRef, rows: Sequence[dict[str, Any]], old: RecipientStatus | None
) -> int:
    names = ["phone", *FIELDS]
    arrays = ", ".join(f"CAST(:a_{n} AS {_ARRAY_TYPES.get(n, 'text')}[])" for n in names)
    sets = ", ".join(f"{column} = v.{name}" for name, column in FIELDS.items())
    member, params = _member_sql(batch, old)
    sql = (
        f"UPDATE recipient AS r SET {sets}, batch_id = :batch, attempts = :attempt "
        f"FROM unnest({arrays}) AS v({', '.join(names)}) "
        f"WHERE r.campaign_id = :campaign AND r.phone = v.phone AND {member}"
    )
    for name in names:
        params[f"a_{name}"] = [row[f"b_{name}"] for row in rows]
    params.update(batch=batch.id, attempt=batch.attempt, campaign=batch.campaign_id)
    return conn.execute(text(sql), params).rowcount


def _member_sql(batch: BatchRef, old: RecipientStatus | None) -> tuple[str, dict[str, Any]]:
    if old is None and batch.by_range:
        sql = "r.message_type = :mtype AND r.id BETWEEN :lo AND :hi AND r.status = :old"
        return sql, {"mtype": batch.message_type, "lo": batch.first_id, "hi": batch.last_id,
                     "old": batch.open_status.value}  # fmt: skip
    status = batch.open_status if old is None else old
    return "r.batch_id = :batch AND r.status = :old", {"old": status.value}
