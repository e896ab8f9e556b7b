"""A message's lazily computed state: READY, then PROCESSING, then COMPLETED with its code."""

from dataclasses import dataclass

from simulator import outcomes
from simulator.sens.store import AcceptedRequest, StoredMessage

READY_SHARE = 0.3  # READY for the first 30 % of the delay, then PROCESSING


@dataclass(frozen=True, slots=True)
class Progress:
    """Where one message stands at a given moment."""

    status: str
    complete_at: float | None = None  # set only when COMPLETED
    code: str | None = None  # set only when COMPLETED


def complete_at(request: AcceptedRequest, message: StoredMessage) -> float | None:
    """When the message completes; None when it stays PROCESSING forever."""
    if outcomes.stays_pending(request.seed, message.to, request.pending_rate):
        return None
    delay = outcomes.complete_delay_for(request.seed, message.to, request.complete_delay)
    return request.accepted_at + delay


def progress(request: AcceptedRequest, message: StoredMessage, now: float) -> Progress:
    """The message's status at `now`."""
    delay = outcomes.complete_delay_for(request.seed, message.to, request.complete_delay)
    if now < request.accepted_at + READY_SHARE * delay:
        return Progress("READY")
    done_at = complete_at(request, message)
    if done_at is None or now < done_at:
        return Progress("PROCESSING")
    code = outcomes.code_for(request.seed, message.to, message.attempt, request.recover_after)
    return Progress("COMPLETED", done_at, code)
