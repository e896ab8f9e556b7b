"""NHN fault settings (the SENS ones plus refusals and webhook faults) and fault answers."""

from dataclasses import dataclass, fields

from simulator.core.faults import FaultReplies, Faults, FaultSettings
from simulator.core.replies import Reply
from simulator.nhn.replies import header, system_error


@dataclass(frozen=True, slots=True)
class NhnFaultSettings(FaultSettings):
    """What GET/POST /_sim/faults show and change on the NHN simulator."""

    # Share of recipients refused inside an accepted request with -2019, per (seed, number).
    refuse_rate: float = 0.0
    # Share of webhook deliveries sent twice (same hooksId, same body).
    webhook_duplicate_rate: float = 0.0
    # Deliver webhook calls out of order (hooks shuffled, calls released in random order).
    webhook_shuffle: bool = False


def nhn_settings(settings: FaultSettings) -> NhnFaultSettings:
    """`settings` as NHN settings (a plain FaultSettings gets the NHN defaults added)."""
    if isinstance(settings, NhnFaultSettings):
        return settings
    return NhnFaultSettings(**{f.name: getattr(settings, f.name) for f in fields(settings)})


# The guide documents no rate-limit or gateway answer; the simulator answers HTTP 429/5xx
# with the usual header and resultCode -9999 (system error).
THROTTLED = Reply(
    429, {"header": header(-9999, "Too many requests; slow down and retry later."), "body": None}
)
REPLIES = FaultReplies(THROTTLED, (system_error(500), system_error(503)))


def nhn_faults(settings: FaultSettings) -> Faults[NhnFaultSettings]:
    """Runtime faults answering with NHN-shaped headers."""
    return Faults(nhn_settings(settings), REPLIES)
