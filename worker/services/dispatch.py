"""Send one batch: claim it, render, call the provider, record what it answered."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine

from config.settings import PollSettings, ResendSettings, SendSettings
from worker.db import batches, campaigns, recipients
from worker.db.types import utcnow
from worker.domain.codes import INTERNAL
from worker.domain.reservations import ReservationStatus
from worker.domain.statuses import BatchStatus, RecipientStatus
from worker.providers.base import ProviderClient, SendReceipt, SendRequest
from worker.providers.errors import (
    AuthFailed,
    GiveUp,
    ProviderError,
    RetryLater,
    SlowDown,
    TransportError,
)
from worker.services import results as judge
from worker.services.applying import apply_results
from worker.services.backoff import delay
from worker.services.progress import refresh
from worker.services.rendering import build_request
from worker.services.scheduling import send_timing

log = logging.getLogger(__name__)
R = RecipientStatus


class SendOutcome(StrEnum):
    """What became of one send_batch call."""

    SKIPPED = "skipped"
    ACCEPTED = "accepted"
    RETRY = "retry"
    REJECTED = "rejected"
    EMPTY = "empty"


@dataclass(frozen=True, slots=True)
class PendingBatch:
    """A batch a send may still claim: how many messages it carries and from which sender."""

    recipients: int
    sender: str


@dataclass(frozen=True, slots=True)
class Dispatcher:
    """What sending needs: the database, the provider client and the timings."""

    engine: Engine
    client: ProviderClient
    send: SendSettings
    poll: PollSettings
    resend: ResendSettings = field(default_factory=ResendSettings)
    # Told of every 429, so the caller's rate limiter can slow down (worker.ratelimit).
    on_slow_down: Callable[[SlowDown], None] | None = None

    def pending(self, batch_id: int) -> PendingBatch | None:
        """Size and sender of a batch still planned (or sending); None once it moved on.

        Cheap, and read before the rate limiter is asked, so a duplicate task spends no token.
        """
        with self.engine.connect() as conn:
            row = batches.sendable(conn, batch_id)
        return None if row is None else PendingBatch(row.recipient_count, row.sender)

    def send_batch(self, batch_id: int) -> SendOutcome:
        """Send one batch once; running it again after success changes nothing."""
        now = utcnow()
        with self.engine.begin() as conn:
            batch = batches.claim(conn, batch_id, now, timedelta(seconds=self.send.lease_seconds))
            if batch is None:
                return SendOutcome.SKIPPED
            campaign = campaigns.get(conn, batch.campaign_id)
            rows = recipients.in_batch(conn, batch_id, R.BATCHED)
        rendered = build_request(campaign, batch, rows)
        if rendered.failures:
            self._fail_unrenderable(batch, rendered.failures)
        if rendered.request is None:
            return self._finish_empty(batch)
        timing = send_timing(campaign, now, self.client.entry.capabilities.reserve_min_lead)
        if timing.wait_until is not None:
            return self._postpone(batch, timing.wait_until)
        request = replace(rendered.request, reserve_time=timing.reserve_at)
        return self._call(batch, campaign, request)

    def _call(self, batch: Any, campaign: Any, request: SendRequest) -> SendOutcome:
        """One provider call, its answer recorded on the batch."""
        try:
            receipt = self.client.send(request)
        except AuthFailed as exc:
            # Wrong keys fail every batch alike: wait for an operator rather than fail them all.
            log.error("provider refused our credentials: %s", exc)
            return self._retry(batch, exc)
        except GiveUp as exc:
            return self._reject(batch, exc)
        except (RetryLater, ProviderError) as exc:
            return self._retry(batch, exc)
        return self._accept(batch, campaign, receipt, request.reserve_time)

    def _accept(
        self, batch: Any, campaign: Any, receipt: SendReceipt, reserve_at: datetime | None
    ) -> SendOutcome:
        now = utcnow()
        # A reserved request has nothing to report before its time.
        next_poll = (reserve_at or now) + timedelta(seconds=self.poll.first_delay_seconds)
        reservation = (
            {"reserve_time": reserve_at, "reserve_status": ReservationStatus.READY.value}
            if reserve_at
            else {}
        )
        with self.engine.begin() as conn:
            moved = batches.finish_send(
                conn,
                batch.id,
                BatchStatus.ACCEPTED,
                request_id=receipt.request_id,
                sent_at=now,
                http_status=202,
                next_poll_at=next_poll,
                **reservation,
            )
            if not moved:
                log.warning(
                    "batch=%s was finished by another run; request_id=%s may duplicate",
                    batch.id,
                    receipt.request_id,
                )
                return SendOutcome.SKIPPED
            moved = recipients.mark_batch(conn, batch.id, R.BATCHED, R.ACCEPTED, accepted_at=now)
            if receipt.refused:
                # Refused inside an accepted request: each recipient ends with its own code.
                ctx = self._context(batch, campaign)
                apply_results(conn, ctx, receipt.refused, self.resend, now)
                batches.complete_if_done(conn, batch.id, now)
                refresh(conn, batch.campaign_id, now)
            elif moved:
                # Its recipients now await results, so the campaign cannot be complete yet:
                # only the dispatching → awaiting_results step can apply.
                campaigns.mark_sent_if_done(conn, batch.campaign_id)
            else:
                refresh(conn, batch.campaign_id, now)
        return SendOutcome.ACCEPTED

    def _retry(self, batch: Any, exc: ProviderError) -> SendOutcome:
        if isinstance(exc, SlowDown) and self.on_slow_down is not None:
            self.on_slow_down(exc)
        if batch.send_attempts >= self.send.max_attempts:
            log.warning("batch=%s gives up after %d attempts", batch.id, batch.send_attempts)
            return self._reject(batch, exc)
        if isinstance(exc, TransportError) and exc.maybe_sent:
            log.warning(
                "batch=%s may have reached %s before the error; re-sending may duplicate",
                batch.id,
                exc.provider,
            )
        due = utcnow() + delay(self.send.retry_backoff_seconds, batch.send_attempts)
        with self.engine.begin() as conn:
            batches.finish_send(
                conn, batch.id, BatchStatus.RETRY, next_attempt_at=due, **_error_fields(exc)
            )
        log.info("batch=%s retry at %s after %s", batch.id, due.isoformat(), exc)
        return SendOutcome.RETRY

    def _context(self, batch: Any, campaign: Any) -> judge.BatchContext:
        deadline = judge.deadline_of(
            campaign.created_at, campaign.deadline_at, self.resend.default_deadline_hours
        )
        return judge.BatchContext(
            batch.provider, batch.id, batch.campaign_id, batch.attempt, deadline
        )

    def _reject(self, batch: Any, exc: ProviderError) -> SendOutcome:
        now = utcnow()
        code, family = _error_code(exc)
        with self.engine.begin() as conn:
            if batches.finish_send(
                conn, batch.id, BatchStatus.REJECTED, completed_at=now, **_error_fields(exc)
            ):
                recipients.mark_batch(
                    conn,
                    batch.id,
                    R.BATCHED,
                    R.FAILED,
                    result_code=code,
                    result_family=family,
                    result_outcome="failed",
                    completed_at=now,
                )
                refresh(conn, batch.campaign_id, now)
        log.warning("batch=%s rejected: %s", batch.id, exc)
        return SendOutcome.REJECTED

    def _postpone(self, batch: Any, until: datetime) -> SendOutcome:
        """Back to the database until `until` (no attempt spent: nothing was sent)."""
        with self.engine.begin() as conn:
            batches.finish_send(
                conn,
                batch.id,
                BatchStatus.RETRY,
                next_attempt_at=until,
                send_attempts=batch.send_attempts - 1,
            )
        log.info("batch=%s held until %s", batch.id, until.isoformat())
        return SendOutcome.RETRY

    def _finish_empty(self, batch: Any) -> SendOutcome:
        now = utcnow()
        with self.engine.begin() as conn:
            batches.finish_send(conn, batch.id, BatchStatus.COMPLETED, completed_at=now)
            refresh(conn, batch.campaign_id, now)
        return SendOutcome.EMPTY

    def _fail_unrenderable(self, batch: Any, failures: dict[int, str]) -> None:
        with self.engine.begin() as conn:
            recipients.fail_ids(conn, list(failures), R.BATCHED, "RENDER", utcnow())
        for rid, reason in failures.items():
            log.warning("batch=%s recipient=%s not sent: %s", batch.id, rid, reason)


def _error_code(exc: ProviderError) -> tuple[str, str]:
    """(code, family) a refused request leaves on its recipients: the provider's result code
    where it sent one from its catalogue, else our own HTTP<status> or ERROR."""
    if exc.code and exc.family:
        return exc.code, exc.family
    return (f"HTTP{exc.status}" if exc.status else "ERROR"), INTERNAL


def _error_fields(exc: ProviderError) -> dict[str, object]:
    return {
        "http_status": exc.status,
        "error_code": exc.code,
        "error_message": str(exc.message)[:500],
    }
