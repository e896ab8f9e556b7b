"""Apply one batch's provider results in bulk: recipients, attempt history, suppressions."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from config.settings import ResendSettings
from worker.db import attempts, batches, recipients, suppressions
from worker.domain.codes import lookup
from worker.domain.statuses import RecipientStatus
from worker.providers.base import MessageResult
from worker.services import results as judge

R = RecipientStatus


def apply_results(
    conn: Connection,
    ctx: judge.BatchContext,
    results: Sequence[MessageResult],
    resend: ResendSettings,
    now: datetime,
) -> int:
    """Apply the completed results of one batch; returns how many recipients changed.

    Idempotent: every update is guarded by the recipient's old status and history rows are
    unique per (batch, phone), so applying the same page twice changes nothing.
    """
    done = [r for r in results if r.completed]
    if not done:
        return 0
    codes = [lookup(ctx.provider, r.code or "", r.family) for r in done]
    rows = [judge.recipient_row(r, c, ctx, resend, now) for r, c in zip(done, codes, strict=True)]
    final = [row for row in rows if row["b_status"] != R.ACCEPTED.value]
    changed = recipients.apply_results(conn, ctx.batch, final)
    batches.settle(conn, ctx.batch_id, changed)
    if changed < len(final):
        # Some matched no recipient awaiting a result: expired ones, or a page read again.
        changed += recipients.apply_late_results(conn, ctx.batch, _late(final, now))
    attempts.record(conn, [judge.attempt_row(r, ctx, c) for r, c in zip(done, codes, strict=True)])
    gone = [(r, c) for r, c in zip(done, codes, strict=True) if c.suppress]
    suppressions.add_many(conn, [judge.suppression_row(r, c, ctx, now) for r, c in gone])
    return changed


def _late(rows: Sequence[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Results for recipients already expired: final as they are, never re-sent."""
    late = []
    for row in rows:
        if row["b_status"] == R.RETRY_WAIT.value:
            row = {**row, "b_status": R.FAILED.value, "b_done": now, "b_next": None}
        late.append(row)
    return late
