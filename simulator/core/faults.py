"""Runtime fault settings and their seeded draw: slow replies, 429s, 5xx answers, lost answers."""

import random
import threading
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Generic, TypeVar

from simulator.core.replies import Reply

# Shares in [0, 1]; a provider's settings may add more of them (NHN: refuse_rate, ...).
RATE_FIELDS = frozenset(
    {
        "rate_429",
        "rate_5xx",
        "slow_rate",
        "pending_rate",
        "lost_rate",
        "refuse_rate",
        "webhook_duplicate_rate",
    }
)
LIMIT_FIELDS = frozenset({"rate_limit", "rate_burst"})  # None turns them off, like 0
INTEGER_FIELDS = frozenset({"seed", "recover_after"})
FLAG_FIELDS = frozenset({"webhook_shuffle"})


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
    # A "lost" send is accepted and recorded, but its answer is written `lost_seconds` late.
    lost_rate: float = 0.0
    lost_seconds: float = 30.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of /_sim/faults."""
        return asdict(self)


S = TypeVar("S", bound=FaultSettings)


def _number(name: str, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number")
    if name in INTEGER_FIELDS:
        if not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer")
        return value
    if value < 0 or (name in RATE_FIELDS and value > 1):
        raise ValueError(f"{name} must be {'in [0, 1]' if name in RATE_FIELDS else '>= 0'}")
    return float(value)


def _coerce(name: str, value: Any) -> int | float | bool:
    if value is None and name in LIMIT_FIELDS:
        return 0.0
    if name in FLAG_FIELDS:
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false")
        return value
    return _number(name, value)


def updated(settings: S, changes: dict[str, Any]) -> S:
    """`settings` with `changes` applied; ValueError names an unknown or invalid field."""
    known = {f.name for f in fields(settings)}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise ValueError(f"unknown fault settings: {', '.join(unknown)}")
    return replace(settings, **{k: _coerce(k, v) for k, v in changes.items()})


@dataclass(frozen=True, slots=True)
class Fault:
    """The drawn fault for one API call: a delay, maybe a replacement reply, maybe lost."""

    delay: float = 0.0
    reply: Reply | None = None
    lost: bool = False  # a send that is accepted gets its answer `lost_seconds` late


@dataclass(frozen=True, slots=True)
class FaultReplies:
    """A provider's answers for a drawn 429 and for a drawn 5xx (one chosen at random)."""

    throttled: Reply
    server_errors: tuple[Reply, ...]


class Faults(Generic[S]):
    """Thread-safe fault settings with a random.Random seeded from the settings' seed."""

    def __init__(self, settings: S, replies: FaultReplies) -> None:
        self._lock = threading.Lock()
        self._settings = settings
        self._replies = replies
        self._rng = random.Random(settings.seed)

    @property
    def settings(self) -> S:
        """The current settings."""
        with self._lock:
            return self._settings

    def update(self, changes: dict[str, Any]) -> S:
        """Apply `changes` (ValueError when invalid); the draw restarts from the seed."""
        with self._lock:
            self._settings = updated(self._settings, changes)
            self._rng = random.Random(self._settings.seed)
            return self._settings

    def reseed(self) -> None:
        """Restart the fault draw from the current seed."""
        with self._lock:
            self._rng = random.Random(self._settings.seed)

    def chance(self, share: float) -> bool:
        """A seeded draw that is True with probability `share` (webhook faults use it)."""
        with self._lock:
            return share > 0 and self._rng.random() < share

    def draw(self) -> Fault:
        """Decide this call's fault: slow (delay), then 429, then one of the 5xx, then lost."""
        with self._lock:
            s, rng = self._settings, self._rng
            delay = s.slow_seconds if rng.random() < s.slow_rate else 0.0
            if rng.random() < s.rate_429:
                return Fault(delay, self._replies.throttled)
            if rng.random() < s.rate_5xx:
                return Fault(delay, rng.choice(self._replies.server_errors))
            # Drawn only when on, so the 429/5xx sequence of a seed is what it always was.
            lost = s.lost_rate > 0 and rng.random() < s.lost_rate
            return Fault(delay, lost=lost)
