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
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from config.settings import ResendSettings
from worker.db import inbox, suppressions
from worker.db.types import utcnow
from worker.providers.base import MessageResult, ProviderClient
from worker.services.applying import apply_for_requests
from worker.services.progress import refresh

log = logging.getLogger(__name__)

# Events taken per transaction: one webhook call holds one to a few results.
EVENTS_PER_ROUND = 500


@dataclass(frozen=True, slots=True)
class Intake:
    """Applies one provider's inbox."""

    engine: Engine
    client: ProviderClient
    resend: ResendSettings

    def apply_new(self, limit: int = EVENTS_PER_ROUND) -> Counter[str]:
        """Apply up to `limit` new events in one transaction; how many ended each way."""
        now = utcnow()
        with self.engine.begin() as conn:
            events = inbox.take_new(conn, self.client.name, limit)
            parsed = [(event.id, self._parse(event.body)) for event in events]
            readable = [(i, found) for i, found in parsed if found is not None]
            inbox.mark(conn, [i for i, found in parsed if found is None], inbox.INVALID, now,
                       "unreadable body")  # fmt: skip
            outcome = self._apply(conn, readable, now)
        return outcome + Counter(invalid=len(parsed) - len(readable))

    def _parse(self, body: str) -> tuple[list[MessageResult], list[str]] | None:
        try:
            data = json.loads(body)
            return self.client.webhook_results(data), self.client.webhook_opt_outs(data)
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            log.warning("provider=%s webhook body unreadable: %s", self.client.name, exc)
            return None

    def _apply(
        self, conn: Connection, events: Sequence[tuple[int, Any]], now: datetime
    ) -> Counter[str]:
        results = [result for _, (found, _) in events for result in found]
        done = apply_for_requests(conn, self.client.name, results, self.resend, now)
        for campaign_id in done.campaigns:
            refresh(conn, campaign_id, now)
        self._opt_out(conn, [n for _, (_, numbers) in events for n in numbers], now)
        return self._mark(conn, events, done.known, now) + Counter(results=done.results)

    def _mark(self, conn: Connection, events: Sequence[tuple[int, Any]], known: set[str],
              now: datetime) -> Counter[str]:  # fmt: skip
        unmatched = {i for i, (found, _) in events if any(r.request_id not in known for r in found)}
        inbox.mark(conn, [i for i, _ in events if i not in unmatched], inbox.APPLIED, now)
        for event_id in unmatched:  # kept for an operator, with what did not match
            ids = sorted({r.request_id for i, (f, _) in events if i == event_id for r in f} - known)
            inbox.mark(conn, [event_id], inbox.UNMATCHED, now, f"unknown requests: {ids}")
        if unmatched:
            log.warning("provider=%s %d webhook events name unknown requests",
                        self.client.name, len(unmatched))  # fmt: skip
        return Counter(applied=len(events) - len(unmatched), unmatched=len(unmatched))

    def _opt_out(self, conn: Connection, numbers: list[str], now: datetime) -> None:
        rows = [{"phone": n, "reason": "080 opt-out (webhook)", "source": self.client.name,
                 "created_at": now} for n in numbers]  # fmt: skip
        suppressions.add_many(conn, rows)
