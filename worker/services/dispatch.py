"""Send one batch: claim it, render, call the provider, record what it answered."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine

from config.settings import AdSettings, PollSettings, ResendSettings, SendSettings
from worker.db import batches, campaigns, lookups, recipients
from worker.db.engine import autocommit
from worker.db.members import BatchRef
from worker.db.types import utcnow
from worker.domain.codes import INTERNAL
from worker.domain.messages import ContentType, MessageType
from worker.domain.quiet_hours import quiet_until
from worker.domain.reservations import ReservationStatus
from worker.domain.statuses import BatchStatus, RecipientStatus
from worker.providers.base import ProviderClient, SendReceipt, SendRequest
from worker.providers.errors import (
    AuthFailed,
    FileGone,
    GiveUp,
    ProviderError,
    RetryLater,
    SlowDown,
    TransportError,
)
from worker.services import results as judge
from worker.services.applying import apply_results
from worker.services.attachments import Attachments
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
    UNSURE = "unsure"


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
    # Told how every provider call ended (None: accepted), for the provider's health breaker.
    on_call: Callable[[ProviderError | None], None] | None = None
    # The provider pushes results to our webhook: the first poll waits for what none reported.
    pushed: bool = False
    # The quiet hours of advertising.
    ad: AdSettings = field(default_factory=AdSettings)

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
        # Single guarded statements: each commits on its own (no BEGIN/COMMIT round trips).
        with autocommit(self.engine).connect() as conn:
            batch = batches.claim(conn, batch_id, now, timedelta(seconds=self.send.lease_seconds))
            if batch is None:
                return SendOutcome.SKIPPED
        try:
            request = self._prepare(batch, now)
        except Exception as exc:  # nothing went out: try again later, never strand the batch
            log.exception("batch=%s could not be prepared", batch.id)
            failed = RetryLater(f"preparing failed: {exc!r}", provider=batch.provider)
            return self._retry(batch, failed)
        if isinstance(request, SendOutcome):
            return request
        return self._call(batch, request)

    def _prepare(self, batch: Any, now: datetime) -> SendRequest | SendOutcome:
        """The request for the claimed batch, after suppressions and rendering; or what
        ended the batch instead (nothing left to send, held for its time)."""
        campaign = _profile(self.engine, batch.campaign_id)
        quiet = self._quiet_until(campaign, now)
        if quiet is not None:
            return self._postpone(batch, quiet)
        with autocommit(self.engine).connect() as conn:
            self._suppress(conn, batch, now)
            rows = recipients.members(conn, BatchRef.of(batch))
        rendered = build_request(campaign, batch, rows)
        if rendered.failures:
            self._fail_unrenderable(batch, rendered.failures)
        if rendered.request is None:
            return self._finish_empty(batch)
        timing = send_timing(campaign, now, self.client.entry.capabilities.reserve_min_lead)
        if timing.wait_until is not None:
            return self._postpone(batch, timing.wait_until)
        return replace(
            rendered.request,
            reserve_time=timing.reserve_at,
            attempt=batch.send_attempts,
            file_ids=self._files(batch),
        )

    def hold_in_quiet_hours(self, batch_id: int) -> bool:
        """Before the rate limiter: a planned AD batch in the quiet hours waits in the
        database (planned → retry, due when they end) without spending a token, so that
        batches free to go are not queued behind it. Outside them it costs no query."""
        now = utcnow()
        if self._quiet_window(now) is None:
            return False
        with self.engine.connect() as conn:
            campaign_id = batches.campaign_of(conn, batch_id)
        until = (
            None
            if campaign_id is None
            else self._quiet_until(_profile(self.engine, campaign_id), now)
        )
        if until is None:
            return False
        with self.engine.begin() as conn:
            held = batches.hold_planned(conn, batch_id, until)
        if held:
            log.info("batch=%s held in the quiet hours until %s", batch_id, until.isoformat())
        return held

    def _quiet_until(self, campaign: Any, now: datetime) -> datetime | None:
        """An advertisement never goes out in the quiet hours (21:00-08:00 Korea time,
        Network Act Art. 50) without night-time consent: it waits in the database until
        they end; re-sends are batches too, and wait the same."""
        if campaign.content_type != ContentType.AD.value or campaign.night_consent:
            return None
        return self._quiet_window(now)

    def _quiet_window(self, now: datetime) -> datetime | None:
        """When the quiet hours that hold `now`, or start within the margin, end."""
        start, end = self.ad.quiet_start, self.ad.quiet_end
        ahead = now + timedelta(seconds=self.ad.quiet_margin_seconds)  # they start soon
        return quiet_until(now, start, end) or quiet_until(ahead, start, end)

    def _files(self, batch: Any) -> list[str]:
        """An MMS batch names its campaign's images by the provider's file ids (uploaded
        now if this provider holds none that is live)."""
        if batch.message_type != MessageType.MMS.value:
            return []
        return Attachments(self.engine, self.client).file_ids(batch.campaign_id)

    def _suppress(self, conn: Any, batch: Any, now: datetime) -> None:
        """Members on the suppression list now (an opt-out after the import, a number found
        dead by another campaign) end `suppressed` instead of being sent (Network Act)."""
        stopped = recipients.suppress_members(conn, BatchRef.of(batch), now)
        if stopped:
            batches.settle(conn, batch.id, stopped)
            log.info("batch=%s: %d suppressed at send time", batch.id, stopped)

    def _call(self, batch: Any, request: SendRequest) -> SendOutcome:
        """One provider call, its answer recorded on the batch."""
        try:
            receipt = self._observed(request)
        except AuthFailed as exc:
            # Wrong keys fail every batch alike: wait for an operator rather than fail them all.
            log.error("provider refused our credentials: %s", exc)
            return self._retry(batch, exc)
        except FileGone as exc:  # refused, nothing went out: upload again, then send
            Attachments(self.engine, self.client).forget(exc.file_ids or request.file_ids)
            return self._retry(batch, exc)
        except GiveUp as exc:
            return self._reject(batch, exc)
        except TransportError as exc:
            return self._unsure(batch, exc) if exc.maybe_sent else self._retry(batch, exc)
        except ProviderError as exc:
            return self._retry(batch, exc)
        except Exception as exc:  # a fault in our own code around the call: it may have gone
            log.exception("batch=%s: the provider call failed unexpectedly", batch.id)
            return self._unsure(batch, exc)
        return self._record(batch, receipt, request.reserve_time)

    def _observed(self, request: SendRequest) -> SendReceipt:
        """The provider call, its outcome told to `on_call` (health never stops a send)."""
        try:
            receipt = self.client.send(request)
        except ProviderError as exc:
            self._tell(exc)
            raise
        self._tell(None)
        return receipt

    def _tell(self, outcome: ProviderError | None) -> None:
        if self.on_call is None:
            return
        try:
            self.on_call(outcome)
        except Exception:
            log.exception("provider health not recorded")

    def _record(self, batch: Any, receipt: SendReceipt, reserve_at: datetime | None) -> SendOutcome:
        """The accept written; if that fails the lease lapses and the batch is looked up."""
        try:
            return self._accept(batch, receipt, reserve_at)
        except Exception:
            log.exception("batch=%s sent as request_id=%s but not recorded; it will be "
                          "looked up", batch.id, receipt.request_id)  # fmt: skip
            return self._unsure(batch, RuntimeError("accept not recorded"))

    def _unsure(self, batch: Any, exc: Exception) -> SendOutcome:
        """The provider may hold the request: look it up before sending anything again."""
        due = utcnow() + timedelta(seconds=self.send.lookup_delay_seconds)
        fields = _error_fields(exc) if isinstance(exc, ProviderError) else {}
        try:
            with autocommit(self.engine).connect() as conn:
                lookups.mark_unsure(conn, batch.id, due, **fields)
        except Exception:  # the lapsed lease hands it to the lookup all the same
            log.exception("batch=%s could not be marked unsure", batch.id)
        log.warning("batch=%s may have reached %s (%s): looked up at %s before any re-send",
                    batch.id, self.client.name, exc, due.isoformat())  # fmt: skip
        return SendOutcome.UNSURE

    def _accept(self, batch: Any, receipt: SendReceipt, reserve_at: datetime | None) -> SendOutcome:
        now = utcnow()
        # A reserved request has nothing to report before its time.
        first = (
            self.poll.webhook_first_delay_seconds if self.pushed else self.poll.first_delay_seconds
        )
        next_poll = (reserve_at or now) + timedelta(seconds=first)
        accepted = {
            "request_id": receipt.request_id,
            "sent_at": now,
            "http_status": 202,
            "next_poll_at": next_poll,
            "reserve_time": reserve_at,
            "reserve_status": ReservationStatus.READY.value if reserve_at else None,
        }
        if not receipt.refused:
            # The batch row is all a send writes: its members are accepted because it is.
            with autocommit(self.engine).connect() as conn:
                moved = _record_answer(conn, batch.id, accepted)
            return self._accepted(batch, receipt, moved)
        with self.engine.begin() as conn:
            moved = _record_answer(conn, batch.id, accepted)
            if moved:
                # Refused inside an accepted request: each recipient ends with its own code.
                ctx = self._context(batch, _profile(self.engine, batch.campaign_id))
                apply_results(conn, [(ctx, receipt.refused)], self.resend, now)
                batches.complete_if_done(conn, batch.id, now)
                refresh(conn, batch.campaign_id, now)
        return self._accepted(batch, receipt, moved)

    def _accepted(self, batch: Any, receipt: SendReceipt, moved: bool) -> SendOutcome:
        if not moved:
            log.warning(
                "batch=%s was finished by another run; request_id=%s may duplicate",
                batch.id,
                receipt.request_id,
            )
            return SendOutcome.SKIPPED
        return SendOutcome.ACCEPTED

    def _retry(self, batch: Any, exc: ProviderError) -> SendOutcome:
        if isinstance(exc, SlowDown) and self.on_slow_down is not None:
            self.on_slow_down(exc)
        if batch.send_attempts >= self.send.max_attempts:
            log.warning("batch=%s gives up after %d attempts", batch.id, batch.send_attempts)
            return self._reject(batch, exc)
        due = utcnow() + delay(self.send.retry_backoff_seconds, batch.send_attempts)
        with self.engine.begin() as conn:
            batches.finish_send(
                conn, batch.id, BatchStatus.RETRY, next_attempt_at=due, **_error_fields(exc)
            )
        log.info("batch=%s retry at %s after %s", batch.id, due.isoformat(), exc)
        return SendOutcome.RETRY

    def _context(self, batch: Any, campaign: Any) -> judge.BatchContext:
        hours = self.resend.default_deadline_hours
        return judge.context_of(batch.provider, batch, campaign, hours)

    def _reject(self, batch: Any, exc: ProviderError) -> SendOutcome:
        now = utcnow()
        code, family = _error_code(exc)
        with self.engine.begin() as conn:
            if batches.finish_send(
                conn, batch.id, BatchStatus.REJECTED, completed_at=now, **_error_fields(exc)
            ):
                closed = recipients.close(conn, BatchRef.of(batch), R.FAILED, code, now, family)
                batches.settle(conn, batch.id, closed)
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
            ref = BatchRef.of(batch)
            closed = recipients.close(conn, ref, R.FAILED, "RENDER", utcnow(), ids=list(failures))
            batches.settle(conn, batch.id, closed)
        for rid, reason in failures.items():
            log.warning("batch=%s recipient=%s not sent: %s", batch.id, rid, reason)


@lru_cache(maxsize=256)
def _profile(engine: Engine, campaign_id: int) -> Any:
    """What a send reads of its campaign: template, sender, type, schedule, deadline. These
    never change after creation, so each process reads them once per campaign."""
    with engine.connect() as conn:
        return campaigns.get(conn, campaign_id)


def _error_code(exc: ProviderError) -> tuple[str, str]:
    """(code, family) a refused request leaves on its recipients: the provider's result code
    where it sent one from its catalogue, else our own HTTP<status> or ERROR."""
    if exc.code and exc.family:
        return exc.code, exc.family
    return (f"HTTP{exc.status}" if exc.status else "ERROR"), INTERNAL


def _record_answer(conn: Connection, batch_id: int, accepted: dict[str, Any]) -> bool:
    """sending → accepted; or unsure → accepted when the send outlived its lease and the
    reaper handed the batch to a lookup meanwhile: the answer in hand is what the lookup
    would find, so it is kept instead of being asked for again."""
    return batches.accept(conn, batch_id, accepted) or lookups.found(conn, batch_id, accepted)


def _error_fields(exc: ProviderError) -> dict[str, object]:
    return {
        "http_status": exc.status,
        "error_code": exc.code,
        "error_message": str(exc.message)[:500],
    }
