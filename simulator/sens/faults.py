"""Runtime fault settings and the seeded draw of 429s, 5xx answers and slow replies."""

import random
import threading
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from simulator.sens.replies import Reply, gateway_error

RATE_FIELDS = ("rate_429", "rate_5xx", "slow_rate", "pending_rate")
LIMIT_FIELDS = ("rate_limit", "rate_burst")  # None turns them off, like 0
INTEGER_FIELDS = ("seed", "recover_after")

SERVER_ERRORS: tuple[Reply, ...] = (
    gateway_error(503, "500", "Endpoint Error"),
    gateway_error(504, "510", "Endpoint Timeout"),
    gateway_error(500, "900", "Unexpected Error"),
)
THROTTLED = gateway_error(429, "410", "Throttle Limited")


@dataclass(frozen=True, slots=True)
class FaultSettings:
    """What GET/POST /_sim/faults show and change; outcomes use seed/complete_delay too."""

    seed: int = 42
    complete_delay: float = 2.0
    rate_429: float = 0.0
    rate_5xx: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 0.0
    pending_rate: float = 0.0
    # Transient codes succeed from this (0-based) attempt on; 0 keeps them transient forever.
    recover_after: int = 0
    # The simulator's own limit on sends per second, with a burst (throttle.py); 0: off.
    rate_limit: float = 0.0
    rate_burst: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of /_sim/faults."""
        return asdict(self)


def _coerce(name: str, value: Any) -> int | float:
    if value is None and name in LIMIT_FIELDS:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number")
    if name in INTEGER_FIELDS:
        if not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer")
        return value
    if value < 0 or (name in RATE_FIELDS and value > 1):
        raise ValueError(f"{name} must be {'in [0, 1]' if name in RATE_FIELDS else '>= 0'}")
    return float(value)


def updated(settings: FaultSettings, changes: dict[str, Any]) -> FaultSettings:
    """`settings` with `changes` applied; ValueError names an unknown or invalid field."""
    known = {f.name for f in fields(FaultSettings)}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise ValueError(f"unknown fault settings: {', '.join(unknown)}")
    return replace(settings, **{k: _coerce(k, v) for k, v in changes.items()})


@dataclass(frozen=True, slots=True)
class Fault:
    """The drawn fault for one API call: a delay and maybe a replacement reply."""

    delay: float = 0.0
    reply: Reply | None = None


class Faults:
    """Thread-safe fault settings with a random.Random seeded from the settings' seed."""

    def __init__(self, settings: FaultSettings) -> None:
        self._lock = threading.Lock()
        self._settings = settings
        self._rng = random.Random(settings.seed)

    @property
    def settings(self) -> FaultSettings:
        """The current settings."""
        with self._lock:
            return self._settings

    def update(self, changes: dict[str, Any]) -> FaultSettings:
        """Apply `changes` (ValueError when invalid); the draw restarts from the seed."""
        with self._lock:
            self._settings = updated(self._settings, changes)
            self._rng = random.Random(self._settings.seed)
            return self._settings

    def reseed(self) -> None:
        """Restart the fault draw from the current seed."""
        with self._lock:
            self._rng = random.Random(self._settings.seed)

    def draw(self) -> Fault:
        """Decide this call's fault: slow (delay), then 429, then one of the 5xx."""
        with self._lock:
            s, rng = self._settings, self._rng
            delay = s.slow_seconds if rng.random() < s.slow_rate else 0.0
            if rng.random() < s.rate_429:
                return Fault(delay, THROTTLED)
            if rng.random() < s.rate_5xx:
                return Fault(delay, rng.choice(SERVER_ERRORS))
            return Fault(delay)
