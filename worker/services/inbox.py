"""Apply stored webhook calls in bulk, through the same guarded result update polling uses.

Each event is applied once (it leaves `new` in the transaction that applies it). A repeated
call finds its recipients already final and changes nothing; a late PENDING never moves a
final recipient back (only open members are written); results naming a request no batch
holds are kept, and the event says so (`unmatched`), never dropped.
"""

import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from config.settings import ResendSettings
from worker.db import inbox, lookups, suppressions
from worker.db.types import utcnow
from worker.providers.base import MessageResult, ProviderClient
from worker.services.applying import apply_for_requests
from worker.services.progress import refresh

log = logging.getLogger(__name__)

# Events taken per transaction: one webhook call holds one to a few results.
EVENTS_PER_ROUND = 500


@dataclass(frozen=True, slots=True)
class Event:
    """One stored call, read: its results and the numbers it says opted out."""

    id: int
    received_at: datetime
    results: list[MessageResult]
    opt_outs: list[str]


@dataclass(frozen=True, slots=True)
class Intake:
    """Applies one provider's inbox."""

    engine: Engine
    client: ProviderClient
    resend: ResendSettings
    # A result can outrun its send's own answer (the batch not yet accepted, its request id
    # not yet stored): such an event is taken again every `retry` until `hold` has passed.
    hold: timedelta = timedelta(minutes=5)
    retry: timedelta = timedelta(seconds=5)

    def apply_new(self, limit: int = EVENTS_PER_ROUND) -> Counter[str]:
        """Apply up to `limit` due events in one transaction; how many ended each way."""
        now = utcnow()
        with self.engine.begin() as conn:
            taken = inbox.take_new(conn, self.client.name, limit, now)
            events = [e for e in (self._parse(row) for row in taken) if e is not None]
            unreadable = {row.id for row in taken} - {event.id for event in events}
            inbox.mark(conn, sorted(unreadable), inbox.INVALID, now, "unreadable body")
            outcome = self._apply(conn, events, now)
        return outcome + Counter(invalid=len(unreadable))

    def _parse(self, row: Any) -> Event | None:
        try:
            data = json.loads(row.body)
            found = self.client.webhook_results(data), self.client.webhook_opt_outs(data)
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            log.warning("provider=%s webhook body unreadable: %s", self.client.name, exc)
            return None
        return Event(row.id, row.received_at, *found)

    def _apply(self, conn: Connection, events: Sequence[Event], now: datetime) -> Counter[str]:
        results = [result for event in events for result in event.results]
        adopted = lookups.found_by_webhook(conn, self.client.name, _echoed(results), now)
        done = apply_for_requests(conn, self.client.name, results, self.resend, now)
        for campaign_id in done.campaigns:
            refresh(conn, campaign_id, now)
        self._opt_out(conn, [n for event in events for n in event.opt_outs], now)
        marked = self._mark(conn, events, done.known, now)
        return marked + Counter(results=done.results, adopted=adopted)

    def _mark(
        self, conn: Connection, events: Sequence[Event], known: set[str], now: datetime
    ) -> Counter[str]:
        """applied; or held (named something we do not hold yet); or, once held long
        enough, unmatched: kept for an operator with what did not match."""
        outcome: Counter[str] = Counter()
        applied = [e.id for e in events if not {r.request_id for r in e.results} - known]
        inbox.mark(conn, applied, inbox.APPLIED, now)  # one statement for all that matched
        outcome["applied"] = len(applied)
        for event in events:
            unknown = sorted({r.request_id for r in event.results} - known)
            if not unknown:
                continue
            if now - event.received_at < self.hold:
                inbox.hold(conn, [event.id], now + self.retry, f"waiting for requests: {unknown}")
                outcome["held"] += 1
            else:
                inbox.mark(conn, [event.id], inbox.UNMATCHED, now, f"unknown requests: {unknown}")
                outcome["unmatched"] += 1
        if outcome["unmatched"]:
            log.warning("provider=%s %d webhook events name unknown requests",
                        self.client.name, outcome["unmatched"])  # fmt: skip
        return outcome

    def _opt_out(self, conn: Connection, numbers: list[str], now: datetime) -> None:
        rows = [{"phone": n, "reason": "080 opt-out (webhook)", "source": self.client.name,
                 "created_at": now} for n in numbers]  # fmt: skip
        suppressions.add_many(conn, rows)


def _echoed(results: Sequence[MessageResult]) -> list[int]:
    """Our batch ids the results echo back (a provider that names no request of its own)."""
    return sorted({r.batch_id for r in results if r.batch_id is not None})
