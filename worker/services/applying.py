"""Apply provider results in bulk: recipients, batch counts, attempt history, suppressions.

One call takes the results of many batches (a page of a sweep, or a group of batches asked
by requestId) and writes each kind of row with one set-based statement.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from config.settings import ResendSettings
from worker.db import attempts, batches, results, suppressions
from worker.domain.codes import ResultCode, lookup
from worker.domain.statuses import RecipientStatus
from worker.providers.base import MessageResult
from worker.services import results as judge

R = RecipientStatus
# Plain strings: a StrEnum's .value is a slow descriptor on the per-result path.
ACCEPTED, RETRY_WAIT, FAILED = str(R.ACCEPTED), str(R.RETRY_WAIT), str(R.FAILED)
# The results of one batch.
Found = tuple[judge.BatchContext, Sequence[MessageResult]]


@dataclass(frozen=True, slots=True)
class Judged:
    """One completed result with the batch it belongs to and its catalogue row."""

    ctx: judge.BatchContext
    result: MessageResult
    code: ResultCode


def apply_results(
    conn: Connection, found: Sequence[Found], resend: ResendSettings, now: datetime
) -> int:
    """Apply the completed results of the given batches; returns how many recipients changed.

    Idempotent: every update is guarded by the recipient's old status and history rows are
    unique per (batch, phone), so applying the same results twice changes nothing.
    """
    judged = [
        Judged(ctx, r, lookup(ctx.provider, r.code or "", r.family))
        for ctx, batch_results in found
        for r in batch_results
        if r.completed
    ]
    if not judged:
        return 0
    # Rows are locked in the order they are written: two appliers holding the same results
    # in other orders (a webhook delivered twice, a sweep beside a poll by requestId) would
    # each wait on a row the other holds, and PostgreSQL aborts one as a deadlock.
    judged.sort(key=_lock_order)
    rows = [(j, _row(j, resend, now)) for j in judged]
    final = [(j, row) for j, row in rows if row["b_status"] != ACCEPTED]
    changed = results.apply(conn, [row for _, row in final])
    batches.settle_many(conn, changed)
    late = _late(final, changed, now)
    total = sum(changed.values()) + sum(results.apply(conn, late).values())
    attempts.record(conn, [judge.attempt_row(j.result, j.ctx, j.code) for j in judged])
    gone = [judge.suppression_row(j.result, j.code, j.ctx, now) for j in judged if j.code.suppress]
    suppressions.add_many(conn, gone)
    return total


def _lock_order(judged: Judged) -> tuple[int, str]:
    return judged.ctx.batch_id, judged.result.to


def _row(judged: Judged, resend: ResendSettings, now: datetime) -> dict[str, Any]:
    row = judge.recipient_row(judged.result, judged.code, judged.ctx, resend, now)
    return {**row, **results.target(judged.ctx.batch)}


def _late(
    final: Sequence[tuple[Judged, dict[str, Any]]], changed: Counter[int], now: datetime
) -> list[dict[str, Any]]:
    """Results that matched no open member, for recipients already expired: final as they
    are, never re-sent (a page read twice matches nothing here either)."""
    sent: Counter[int] = Counter(j.ctx.batch_id for j, _ in final)
    late = []
    for judged, row in final:
        if changed[judged.ctx.batch_id] >= sent[judged.ctx.batch_id]:
            continue
        if row["b_status"] == RETRY_WAIT:
            row = {**row, "b_status": FAILED, "b_done": now, "b_next": None}
        late.append({**row, **results.target(judged.ctx.batch, R.EXPIRED)})
    return late


@dataclass(slots=True)
class Applied:
    """What applying results by request id did."""

    results: int = 0
    completed: list[int] = field(default_factory=list)
    campaigns: set[int] = field(default_factory=set)
    # The request ids some batch of ours holds (the others are unknown to us).
    known: set[str] = field(default_factory=set)


def apply_for_requests(
    conn: Connection,
    provider: str,
    found: Sequence[MessageResult],
    resend: ResendSettings,
    now: datetime,
) -> Applied:
    """Apply results keyed by request id (a sweep page, a webhook call): find their batches,
    apply what completed, and complete the batches that settled everyone."""
    by_request: dict[str, list[MessageResult]] = defaultdict(list)
    by_batch: dict[int, list[MessageResult]] = defaultdict(list)
    for result in found:
        if result.batch_id is None:
            by_request[result.request_id].append(result)
        else:
            by_batch[result.batch_id].append(result)
    known = _known(conn, provider, by_request, by_batch)
    hours = resend.default_deadline_hours
    work = [(judge.context_of(provider, row, row, hours), batch_results)
            for row, batch_results in known]  # fmt: skip
    return Applied(
        results=apply_results(conn, work, resend, now),
        completed=batches.complete_many(conn, [row.id for row, _ in known], now),
        campaigns={row.campaign_id for row, _ in known},
        known={r.request_id for _, batch_results in known for r in batch_results},
    )


def _known(
    conn: Connection,
    provider: str,
    by_request: dict[str, list[MessageResult]],
    by_batch: dict[int, list[MessageResult]],
) -> list[tuple[Any, list[MessageResult]]]:
    """The batches behind the results (by request id, or by our echoed batch id), each with
    its results; results of no batch we hold are left out."""
    known: list[tuple[Any, list[MessageResult]]] = []
    if by_request:
        rows = batches.contexts_for_requests(conn, provider, list(by_request))
        known += [(row, by_request[row.request_id]) for row in rows]
    if by_batch:
        rows = batches.contexts_for_batches(conn, provider, list(by_batch))
        known += [(row, by_batch[row.id]) for row in rows]
    return known
