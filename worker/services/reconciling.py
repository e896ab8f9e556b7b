"""Ask the provider about sends whose answer never came, before anything is sent again."""

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from config.settings import PollSettings, SendSettings
from worker.db import batches, campaigns, lookups, recipients
from worker.db.batches import SENDING_CAMPAIGNS
from worker.db.members import BatchRef
from worker.db.types import utcnow
from worker.domain.statuses import BatchStatus, RecipientStatus
from worker.providers.base import CannotTell, ProviderClient, SentProbe
from worker.providers.errors import ProviderError
from worker.services.backoff import delay
from worker.services.progress import refresh
from worker.services.rendering import build_request

log = logging.getLogger(__name__)
B, R = BatchStatus, RecipientStatus

# Batches looked up per round; the rest wait for the next tick.
LOOKUPS_PER_ROUND = 50
# Our clock and the provider's may differ; its request time is read to the second.
CLOCK_SKEW = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class Reconciler:
    """Looks up one provider's unsure batches: found → accepted, absent → sent again."""

    engine: Engine
    client: ProviderClient
    send: SendSettings
    poll: PollSettings
    # Its results come by webhook with our echoed batch key (worker/services/inbox.py): a
    # result for the batch proves it was sent, so one it cannot look up waits for them.
    pushed: bool = False

    def reconcile_due(self, limit: int = LOOKUPS_PER_ROUND) -> Counter[str]:
        """Every unsure batch whose lookup is due; how many ended each way."""
        with self.engine.connect() as conn:
            due = lookups.due(conn, self.client.name, utcnow(), limit)
        return Counter(self.reconcile(batch) for batch in due)

    def reconcile(self, batch: Any) -> str:
        """Ask the provider about one unsure batch and act on the answer."""
        now = utcnow()
        campaign, probe = self._probe(batch, now)
        if probe is None:
            return self._settle_empty(batch, now)
        try:
            found = self.client.find_sent(probe)
        except CannotTell as exc:
            return self._await_webhooks(batch, str(exc), now)
        except ProviderError as exc:
            return self._ask_later(batch, exc, now)
        request_id = self._first_unclaimed(batch.id, found)
        if request_id is not None:
            return self._adopt(batch, request_id, now)
        return self._absent(batch, campaign, now)

    def _first_unclaimed(self, batch_id: int, found: list[str]) -> str | None:
        """The oldest matching request no other batch holds: the same number with the same
        text sent by an earlier attempt (a quick re-send) is another batch's request."""
        if not found:
            return None
        with self.engine.connect() as conn:
            held = lookups.recorded(conn, self.client.name, found, batch_id)
        return next((request_id for request_id in found if request_id not in held), None)

    def _probe(self, batch: Any, now: datetime) -> tuple[Any, SentProbe | None]:
        """The batch's first open message as the provider would have recorded it."""
        with self.engine.connect() as conn:
            campaign = campaigns.get(conn, batch.campaign_id)
            rows = recipients.members(conn, BatchRef.of(batch))
        request = build_request(campaign, batch, rows).request
        if request is None:
            return campaign, None
        claimed = batch.claimed_at or now
        lease = timedelta(seconds=self.send.lease_seconds)
        first = request.messages[0]
        probe = SentProbe(
            sender=request.sender,
            to=first.to,
            content=first.content,
            message_type=batch.message_type,
            since=claimed - CLOCK_SKEW,
            until=min(now, claimed + lease + CLOCK_SKEW),
            batch_id=batch.id,
            attempt=batch.send_attempts,
        )
        return campaign, probe

    def _adopt(self, batch: Any, request_id: str, now: datetime) -> str:
        answer = {
            "request_id": request_id,
            "sent_at": batch.claimed_at or now,
            "http_status": 202,
            "next_poll_at": now + timedelta(seconds=self.poll.first_delay_seconds),
        }  # the error that made it unsure stays on the batch: why it was looked up
        with self.engine.begin() as conn:
            if not lookups.found(conn, batch.id, answer):
                return "skipped"  # another lookup got there first
        log.warning("batch=%s was taken by %s as request_id=%s: not sent again",
                    batch.id, self.client.name, request_id)  # fmt: skip
        return "found"

    def _absent(self, batch: Any, campaign: Any, now: datetime) -> str:
        """Positively not at the provider: send it again, unless the campaign stopped."""
        with self.engine.begin() as conn:
            if campaign.status in SENDING_CAMPAIGNS:
                if not lookups.not_found(conn, batch.id, B.RETRY, next_attempt_at=now):
                    return "skipped"
                log.info("batch=%s not at %s: sent again", batch.id, self.client.name)
                return "absent"
            if not lookups.not_found(conn, batch.id, B.CANCELLED, completed_at=now):
                return "skipped"
            self._close(conn, batch, R.CANCELLED, "CANCELLED", now)
        return "cancelled"

    def _unknown(self, batch: Any, why: str, now: datetime) -> str:
        with self.engine.begin() as conn:
            if lookups.not_found(conn, batch.id, B.UNKNOWN, completed_at=now, error_code="UNKNOWN",
                                 error_message=why[:500]):  # fmt: skip
                self._close(conn, batch, R.UNKNOWN, "UNKNOWN", now)
        log.error("batch=%s may or may not have been sent (%s): its recipients are unknown, "
                  "for an operator", batch.id, why)  # fmt: skip
        return "unknown"

    def _await_webhooks(self, batch: Any, why: str, now: datetime) -> str:
        """Unknown, unless webhooks may still prove the send: then asked again once the
        provider's results are due (the inbox accepts the batch if one comes first)."""
        wait = timedelta(seconds=self.poll.webhook_first_delay_seconds)
        due = (batch.claimed_at or now) + wait
        if not self.pushed or due <= now:
            said = f"{why}; no webhook result came" if self.pushed else why
            return self._unknown(batch, said, now)
        with self.engine.begin() as conn:
            lookups.ask_later(conn, batch.id, due, f"{why}: waiting for its webhook results")
        log.info("batch=%s cannot be looked up: waiting for webhook results until %s",
                 batch.id, due.isoformat())  # fmt: skip
        return "waiting"

    def _ask_later(self, batch: Any, exc: ProviderError, now: datetime) -> str:
        if batch.lookups + 1 >= self.send.max_lookups:
            return self._unknown(batch, f"{batch.lookups + 1} lookups failed, last: {exc}", now)
        due = now + delay(self.send.lookup_backoff_seconds, batch.lookups + 1)
        with self.engine.begin() as conn:
            lookups.ask_later(conn, batch.id, due, str(exc))
        log.info("batch=%s lookup failed (%s); again at %s", batch.id, exc, due.isoformat())
        return "later"

    def _settle_empty(self, batch: Any, now: datetime) -> str:
        """No open member is left (cancelled or suppressed meanwhile): nothing to look up."""
        with self.engine.begin() as conn:
            lookups.not_found(conn, batch.id, B.COMPLETED, completed_at=now)
            refresh(conn, batch.campaign_id, now)
        return "empty"

    @staticmethod
    def _close(conn: Any, batch: Any, status: RecipientStatus, code: str, now: datetime) -> None:
        closed = recipients.close(conn, BatchRef.of(batch), status, code, now)
        batches.settle(conn, batch.id, closed)
        refresh(conn, batch.campaign_id, now)
