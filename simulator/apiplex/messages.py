"""Accepted GMS messages: one per destination, each with its drawn result and completion time."""

import uuid
from dataclasses import dataclass

from simulator import outcomes as shared
from simulator.apiplex.networks import network_for
from simulator.apiplex.outcomes import Outcome, code_for
from simulator.apiplex.segments import sms_count
from simulator.core.faults import FaultSettings


@dataclass(frozen=True, slots=True)
class SendOrder:
    """A send request that passed validation."""

    route: str  # "gms-kg" (Korea → abroad) or "gms-gk" (abroad → Korea)
    sender: str
    texts: tuple[str, ...]  # each destination's text: the request's, or its own
    destinations: tuple[str, ...]  # E.164, in request order
    echo: str | None  # echo_to_webhook, handed back in every record


@dataclass(frozen=True, slots=True)
class Batch:
    """What the messages of one request share."""

    request_id: str
    sent_at: float  # acceptance, on the simulator clock
    sms_count: int
    echo: str | None


@dataclass(frozen=True, slots=True)
class Message:
    """One accepted message and how it ends."""

    message_id: str
    to: str
    batch: Batch
    outcome: Outcome
    done_at: float | None  # None: the carrier report never comes (pending_rate)
    mcc: str | None
    mnc: str | None


def new_id() -> str:
    """A unique request or message id."""
    return str(uuid.uuid4())


def _message(to: str, attempt: int, batch: Batch, s: FaultSettings) -> Message:
    outcome = code_for(s.seed, to, attempt, s.recover_after)
    lost = shared.stays_pending(s.seed, to, s.pending_rate)
    delay = shared.complete_delay_for(s.seed, to, s.complete_delay)
    done_at = None if lost else batch.sent_at + delay
    return Message(new_id(), to, batch, outcome, done_at, *network_for(s.seed, to))


def messages_for(
    order: SendOrder, attempts: list[int], settings: FaultSettings, now: float
) -> list[Message]:
    """The messages of an accepted `order`; attempts[i]: earlier messages to destination i."""
    # smsCount is the request's longest text's: every message of a request shares its Batch.
    batch = Batch(new_id(), now, max(sms_count(text) for text in order.texts), order.echo)
    return [
        _message(to, attempt, batch, settings)
        for to, attempt in zip(order.destinations, attempts, strict=True)
    ]
