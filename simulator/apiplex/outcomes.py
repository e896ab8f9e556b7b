"""Deterministic GMS results per (seed, number): seed-000 result code with its seed-001 error.

The same SHA-256 fractions as the other simulators (simulator.outcomes.unit), salted for
API PLEX, so a run is reproducible; `code_for` lets tests predict each message's record.
"""

from dataclasses import dataclass
from itertools import accumulate

from simulator.apiplex.codes import DELIVERED_GROUP, ERRORS, STATUSES, ServiceError, Status
from simulator.outcomes import unit


@dataclass(frozen=True, slots=True)
class Outcome:
    """A final result: the status (seed 000) and the service error (seed 001) reported."""

    status: Status
    error: ServiceError

    @property
    def delivered(self) -> bool:
        """Status group 3 DELIVERED."""
        return self.status.group_id == DELIVERED_GROUP

    @property
    def transient(self) -> bool:
        """Failed, but not for good: a later attempt may get through."""
        return not self.delivered and not self.error.permanent


def _outcome(result: int, error: int) -> Outcome:
    return Outcome(STATUSES[result], ERRORS[error])


# (result id, service error id, share): ~86 % delivered, ~7 % transient failures (absent,
# busy, network), ~7 % permanent (unknown subscriber, bad address, DND, spam, unconfirmed).
MIX: tuple[tuple[int, int, float], ...] = (
    (5, 0, 0.84),  # DELIVERED_TO_HANDSET
    (2, 0, 0.02),  # DELIVERED_TO_OPERATOR (charged, no handset receipt)
    (15, 27, 0.03),  # EXPIRED_EXPIRED / EC_ABSENT_SUBSCRIBER (transient)
    (9, 31, 0.02),  # UNDELIVERABLE_NOT_DELIVERED / EC_SUBSCRIBER_BUSY_FOR_MT_SMS (transient)
    (16, 34, 0.02),  # REJECTED_NOT_REACHABLE / EC_SYSTEM_FAILURE (transient)
    (9, 1, 0.035),  # UNDELIVERABLE_NOT_DELIVERED / EC_UNKNOWN_SUBSCRIBER (permanent)
    (52, 351, 0.01),  # REJECTED_DESTINATION / EC_INVALID_DESTINATION_ADDRESS (permanent)
    (10, 2050, 0.01),  # REJECTED_DND / EC_DEST_ADDRESS_BLACKLISTED (permanent)
    (4, 607, 0.01),  # UNDELIVERABLE_REJECTED_OPERATOR / EC_BLOCKED_AS_SPAM (permanent)
    (29, 815, 0.005),  # EXPIRED_DLR_UNKNOWN / EC_MESSAGE_SUBMITTED_NOT_ACKED (permanent)
)
OUTCOMES: tuple[Outcome, ...] = tuple(_outcome(result, error) for result, error, _ in MIX)
_CUMULATIVE: tuple[float, ...] = tuple(accumulate(share for *_, share in MIX))
DELIVERED = OUTCOMES[0]


def outcome_at(fraction: float) -> Outcome:
    """The outcome whose cumulative share band holds `fraction` (in [0, 1))."""
    for outcome, upper in zip(OUTCOMES, _CUMULATIVE, strict=True):
        if fraction < upper:
            return outcome
    return DELIVERED


def code_for(seed: int, number: str, attempt: int = 0, recover_after: int = 0) -> Outcome:
    """The final result of the `attempt`-th message (0-based) to `number` (E.164) under `seed`.

    A transient first result becomes DELIVERED_TO_HANDSET from attempt `recover_after` on,
    when that is positive ("transient, then success"); a permanent one never changes.
    """
    first = outcome_at(unit(seed, number, "apiplex"))
    if first.transient and 0 < recover_after <= attempt:
        return DELIVERED
    return first
