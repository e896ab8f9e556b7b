"""Ask the provider for results of accepted batches whose poll time came, and apply them."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from config.settings import PollSettings, ResendSettings
from worker.db import attempts, batches, recipients, suppressions
from worker.db.types import utcnow
from worker.domain.codes import lookup
from worker.domain.statuses import RecipientStatus
from worker.providers.base import MessageResult, ProviderClient
from worker.providers.errors import ProviderError, SlowDown
from worker.services import results as results_
from worker.services.backoff import delay
from worker.services.progress import refresh

log = logging.getLogger(__name__)


@dataclass
class PollRound:
    """What one polling round did, for logs and the status command."""

    batches: int = 0
    completed_batches: int = 0
    results_applied: int = 0
    errors: int = 0
    campaigns: set[int] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Poller:
    """Polls one provider's accepted batches by request id."""

    engine: Engine
    client: ProviderClient
    settings: PollSettings
    resend: ResendSettings

    def poll_due(self) -> PollRound:
        """One round over the batches whose next poll time has come."""
        round_ = PollRound()
        with self.engine.connect() as conn:
            due = batches.due_for_poll(
                conn, self.client.name, utcnow(), self.settings.batches_per_round
            )
        for batch in due:
            try:
                results = list(self.client.results_for_request(batch.request_id))
            except SlowDown as exc:
                log.warning("poll slowed down by provider=%s: %s", self.client.name, exc)
                round_.errors += 1
                break
            except ProviderError as exc:
                log.warning("poll of batch=%s failed: %s", batch.id, exc)
                round_.errors += 1
                results = []
            self._apply(batch, results, round_)
        if round_.batches:
            log.info(
                "poll provider=%s batches=%d applied=%d completed=%d errors=%d",
                self.client.name,
                round_.batches,
                round_.results_applied,
                round_.completed_batches,
                round_.errors,
            )
        return round_

    def _apply(self, batch: Any, results: Sequence[MessageResult], round_: PollRound) -> None:
        now = utcnow()
        ctx = self._context(batch)
        done = [r for r in results if r.completed]
        rows = [results_.recipient_row(r, ctx, self.resend, now) for r in done]
        final = [row for row in rows if row["b_status"] != RecipientStatus.ACCEPTED.value]
        next_poll = now + delay(self.settings.backoff_seconds, batch.poll_count + 1)
        with self.engine.begin() as conn:
            round_.results_applied += recipients.apply_results(conn, batch.id, final)
            attempts.record(
                conn,
                [
                    results_.attempt_row(r, ctx, row["b_outcome"])
                    for r, row in zip(done, rows, strict=True)
                ],
            )
            suppressions.add_many(conn, self._suppressions(done, ctx, now))
            if batches.after_poll(conn, batch.id, now, next_poll):
                round_.completed_batches += 1
            refresh(conn, batch.campaign_id, now)
        round_.batches += 1
        round_.campaigns.add(batch.campaign_id)

    def _context(self, batch: Any) -> results_.BatchContext:
        deadline = results_.deadline_of(
            batch.created_at, batch.deadline_at, self.resend.default_deadline_hours
        )
        return results_.BatchContext(
            self.client.name, batch.id, batch.campaign_id, batch.attempt, deadline
        )

    def _suppressions(
        self, done: Sequence[MessageResult], ctx: results_.BatchContext, now: datetime
    ) -> list[dict[str, Any]]:
        gone = [r for r in done if lookup(ctx.provider, r.code or "").suppress]
        return [results_.suppression_row(r, ctx, now) for r in gone]
