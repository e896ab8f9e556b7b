"""Turn one provider result into the recipient's next state: final, or a re-send later."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from config.settings import ResendSettings
from worker.db.members import BatchRef
from worker.domain.codes import Outcome, ResultCode
from worker.domain.statuses import RecipientStatus
from worker.providers.base import MessageResult
from worker.services.backoff import delay

R = RecipientStatus


@dataclass(frozen=True, slots=True)
class BatchContext:
    """What the decision needs to know about the batch the result belongs to."""

    provider: str
    batch: BatchRef
    deadline: datetime

    @property
    def batch_id(self) -> int:
        """The batch's id."""
        return self.batch.id

    @property
    def campaign_id(self) -> int:
        """Its campaign."""
        return self.batch.campaign_id

    @property
    def attempt(self) -> int:
        """Which send of its recipients the batch was (1: the first)."""
        return self.batch.attempt


def deadline_of(created_at: datetime, deadline_at: datetime | None, hours: float) -> datetime:
    """A campaign's deadline: its own, or creation time plus the default."""
    return deadline_at or created_at + timedelta(hours=hours)


def context_of(provider: str, batch: Any, campaign: Any, hours: float) -> BatchContext:
    """The context of a batch row (its member columns) whose campaign row carries created_at
    and deadline_at; `hours` is the default deadline (resend.default_deadline_hours)."""
    deadline = deadline_of(campaign.created_at, campaign.deadline_at, hours)
    return BatchContext(provider, BatchRef.of(batch), deadline)


def retry_due(settings: ResendSettings, attempt: int, now: datetime) -> datetime:
    """When attempt `attempt` + 1 should go: the backoff ladder, ±jitter."""
    return now + delay(settings.backoff_seconds, attempt, settings.jitter)


def next_state(
    code: ResultCode, ctx: BatchContext, settings: ResendSettings, now: datetime
) -> tuple[RecipientStatus, datetime | None]:
    """The status a result moves its recipient to, and when a re-send is due."""
    if code.outcome is Outcome.DELIVERED:
        return R.DELIVERED, None
    if code.outcome is Outcome.PENDING:
        return R.ACCEPTED, None
    if code.outcome is Outcome.RETRYABLE and ctx.attempt < settings.max_attempts:
        due = retry_due(settings, ctx.attempt, now)
        if due < ctx.deadline:
            return R.RETRY_WAIT, due
    # Permanent, unknown, out of attempts, or past the deadline: never re-sent.
    return R.FAILED, None


def recipient_row(
    result: MessageResult,
    code: ResultCode,
    ctx: BatchContext,
    settings: ResendSettings,
    now: datetime,
) -> dict[str, Any]:
    """The bound parameters of recipients.apply_results for one completed result."""
    status, due = next_state(code, ctx, settings, now)
    return {
        "b_phone": result.to,
        # str(): a StrEnum's .value goes through a slow descriptor (5 % of applying a page).
        "b_status": str(status),
        "b_code": code.code,
        "b_family": code.family,
        "b_outcome": str(code.outcome),
        "b_message_id": result.message_id,
        "b_telco": result.telco,
        "b_done": None if status is R.RETRY_WAIT else (result.complete_time or now),
        "b_next": due,
    }


def attempt_row(result: MessageResult, ctx: BatchContext, code: ResultCode) -> dict[str, Any]:
    """The history row of one result."""
    return {
        "campaign_id": ctx.campaign_id,
        "batch_id": ctx.batch_id,
        "provider": ctx.provider,
        "phone": result.to,
        "attempt": ctx.attempt,
        "code": result.code or "",
        "family": code.family,
        "outcome": str(code.outcome),
        "message_id": result.message_id,
        "completed_at": result.complete_time,
    }


def suppression_row(
    result: MessageResult, code: ResultCode, ctx: BatchContext, now: datetime
) -> dict[str, Any]:
    """The suppression entry of a result whose code says the number is gone for good."""
    return {
        "phone": result.to,
        "reason": f"{code.code} {code.title}"[:200],
        "source": f"{ctx.provider} result"[:40],
        "created_at": now,
    }
