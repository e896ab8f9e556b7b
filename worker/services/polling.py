"""Ask the provider for results of accepted batches whose poll time came, and apply them."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from config.settings import PollSettings
from worker.db import batches, recipients
from worker.db.types import utcnow
from worker.domain.codes import Outcome, lookup
from worker.domain.statuses import RecipientStatus
from worker.providers.base import MessageResult, ProviderClient
from worker.providers.errors import ProviderError, SlowDown
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
        rows = [_result_row(self.client.name, r) for r in results if r.completed]
        next_poll = now + delay(self.settings.backoff_seconds, batch.poll_count + 1)
        with self.engine.begin() as conn:
            round_.results_applied += recipients.apply_results(conn, batch.id, rows)
            if batches.after_poll(conn, batch.id, now, next_poll):
                round_.completed_batches += 1
            refresh(conn, batch.campaign_id, now)
        round_.batches += 1
        round_.campaigns.add(batch.campaign_id)


def _result_row(provider: str, result: MessageResult) -> dict[str, Any]:
    code = lookup(provider, result.code or "")
    delivered = code.outcome is Outcome.DELIVERED
    # Re-sending transient failures comes with the full catalogue; for now they are final.
    status = RecipientStatus.DELIVERED if delivered else RecipientStatus.FAILED
    done: datetime = result.complete_time or utcnow()
    return {
        "b_phone": result.to,
        "b_status": status.value,
        "b_code": code.code,
        "b_outcome": code.outcome.value,
        "b_message_id": result.message_id,
        "b_telco": result.telco,
        "b_done": done,
    }
