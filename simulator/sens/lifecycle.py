"""A message's lazily computed state: READY, then PROCESSING, then COMPLETED with its code."""

from dataclasses import dataclass

from simulator import outcomes
from simulator.sens.store import AcceptedRequest, StoredMessage
from worker.domain.reservations import ReservationStatus

READY_SHARE = 0.3  # READY for the first 30 % of the delay, then PROCESSING


@dataclass(frozen=True, slots=True)
class Progress:
    """Where one message stands at a given moment."""

    status: str
    complete_at: float | None = None  # set only when COMPLETED
    code: str | None = None  # set only when COMPLETED


def starts_at(request: AcceptedRequest) -> float:
    """When the request's messages start on their way: the reserve time, or acceptance."""
    return request.reserve.at if request.reserve is not None else request.accepted_at


def held(request: AcceptedRequest, now: float) -> bool:
    """Whether a reserved request has not gone out at `now` (waiting, or canceled for good)."""
    return request.reserve is not None and (request.canceled or now < request.reserve.at)


def reserve_status(request: AcceptedRequest, now: float) -> ReservationStatus:
    """Seed 003 reserveStatus: READY until the reserve time, then DONE; or CANCELED."""
    if request.canceled:
        return ReservationStatus.CANCELED
    return ReservationStatus.READY if held(request, now) else ReservationStatus.DONE


def complete_at(request: AcceptedRequest, message: StoredMessage) -> float | None:
    """When the message completes; None when it never does (lost report, or canceled)."""
    if request.canceled or outcomes.stays_pending(request.seed, message.to, request.pending_rate):
        return None
    delay = outcomes.complete_delay_for(request.seed, message.to, request.complete_delay)
    return starts_at(request) + delay


def progress(request: AcceptedRequest, message: StoredMessage, now: float) -> Progress:
    """The message's status at `now`; a held reservation's messages stay READY."""
    delay = outcomes.complete_delay_for(request.seed, message.to, request.complete_delay)
    if held(request, now) or now < starts_at(request) + READY_SHARE * delay:
        return Progress("READY")
    done_at = complete_at(request, message)
    if done_at is None or now < done_at:
        return Progress("PROCESSING")
    code = outcomes.code_for(request.seed, message.to, message.attempt, request.recover_after)
    return Progress("COMPLETED", done_at, code)
