"""A message's lazily computed state: 1 requesting, 2 processing, then 3 success or 0 failed.

Canceled reservations are 4 and never complete. Reserved messages stay 1 until their
requestDate; then the usual course starts from there.
"""

from dataclasses import dataclass

from simulator import outcomes
from simulator.nhn import outcomes as nhn_outcomes
from simulator.nhn.store import Message

REQUESTING_SHARE = 0.3  # "1" for the first 30 % of the delay, then "2" (as SENS READY)
UPDATE_LAG = 1.5  # updateDate is 0.1 to 1.6 s after resultDate

# ko-api-guide msgStatus names (0 실패, 1 요청, 2 처리 중, 3 성공, 4 예약취소).
STATUS_NAMES = {"0": "실패", "1": "요청", "2": "처리 중", "3": "성공", "4": "예약취소"}


@dataclass(frozen=True, slots=True)
class State:
    """Where one message stands at a given moment."""

    msg_status: str
    result_at: float | None = None  # resultDate; set once completed
    code: str | None = None  # reception resultCode; set once completed


def complete_at(message: Message) -> float | None:
    """When the message completes; None when it never does (lost report, or canceled)."""
    profile = message.request.profile
    if message.canceled_at is not None:
        return None
    if outcomes.stays_pending(profile.seed, message.number, profile.pending_rate):
        return None
    delay = outcomes.complete_delay_for(profile.seed, message.number, profile.complete_delay)
    return message.request.send_at + delay


def update_at(message: Message, result_at: float) -> float:
    """updateDate: "a little after" resultDate (message-results searches by it)."""
    share = outcomes.unit(message.request.profile.seed, message.number, "update")
    return result_at + 0.1 + UPDATE_LAG * share


def state(message: Message, now: float) -> State:
    """The message's state at `now`."""
    if message.canceled_at is not None:
        return State("4")
    request, profile = message.request, message.request.profile
    delay = outcomes.complete_delay_for(profile.seed, message.number, profile.complete_delay)
    if now < request.send_at + REQUESTING_SHARE * delay:
        return State("1")
    done_at = complete_at(message)
    if done_at is None or now < done_at:
        return State("2")
    result = nhn_outcomes.result_for(
        profile.seed, message.number, message.attempt, profile.recover_after
    )
    return State(result.msg_status, done_at, result.code)


def reservation_status(message: Message, now: float) -> str:
    """A reserved message's messageStatus: RESERVED, CANCEL, SENDING, COMPLETED or FAILED."""
    if message.canceled_at is not None:
        return "CANCEL"
    if now < message.request.send_at:
        return "RESERVED"
    current = state(message, now).msg_status
    return {"3": "COMPLETED", "0": "FAILED"}.get(current, "SENDING")
