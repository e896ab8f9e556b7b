"""API PLEX fault settings (the shared ones plus webhook faults) and its fault answers."""

from dataclasses import dataclass, fields

from simulator.apiplex.wire import SERVER_ERRORS, THROTTLED
from simulator.core.faults import FaultReplies, Faults, FaultSettings


@dataclass(frozen=True, slots=True)
class ApiplexFaultSettings(FaultSettings):
    """What GET/POST /_sim/faults show and change on the API PLEX simulator."""

    # Share of result records posted twice (the same record, two webhook calls).
    webhook_duplicate_rate: float = 0.0
    # Records released together (one tick, or one burst) go out in a random order.
    webhook_shuffle: bool = False
    # Share of messages whose interim PENDING record arrives after their final record.
    webhook_late_pending_rate: float = 0.0
    # Hold records, releasing all held at once when the oldest has waited this long; 0: off.
    webhook_burst_seconds: float = 0.0

    def __post_init__(self) -> None:
        # The shared validation knows webhook_duplicate_rate is a share; this one is new.
        if not 0.0 <= self.webhook_late_pending_rate <= 1.0:
            raise ValueError("webhook_late_pending_rate must be in [0, 1]")


APIPLEX_FIELDS = frozenset(f.name for f in fields(ApiplexFaultSettings))
REPLIES = FaultReplies(THROTTLED, SERVER_ERRORS)


def apiplex_settings(settings: FaultSettings) -> ApiplexFaultSettings:
    """`settings` as API PLEX settings (another provider's fields it lacks are dropped)."""
    if isinstance(settings, ApiplexFaultSettings):
        return settings
    known = {f.name: getattr(settings, f.name) for f in fields(settings)}
    return ApiplexFaultSettings(**{k: v for k, v in known.items() if k in APIPLEX_FIELDS})


def apiplex_faults(settings: FaultSettings) -> Faults[ApiplexFaultSettings]:
    """Runtime faults answering with API PLEX-shaped error bodies."""
    return Faults(apiplex_settings(settings), REPLIES)
