"""The simulator's two clocks: the wall clock (auth, throttle) and a movable "now" (lifecycles)."""

import threading
import time
from collections.abc import Callable


class SimClock:
    """`wall()` is the real clock; `now()` adds an offset that POST /_sim/clock moves forward.

    Time-based auth (SENS's 5-minute signature skew) and the send throttle stay on the wall
    clock (a client signs with its real time); message lifecycles, reservations, list window
    rules and file expiry use `now()`, so tests can jump ahead without waiting.
    """

    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall
        self._lock = threading.Lock()
        self._offset = 0.0

    def wall(self) -> float:
        """Epoch seconds on the real clock."""
        return self._wall()

    def now(self) -> float:
        """Epoch seconds on the simulator's lifecycle clock (wall + offset)."""
        return self._wall() + self.offset

    @property
    def offset(self) -> float:
        """Seconds `now()` runs ahead of the wall clock."""
        with self._lock:
            return self._offset

    def advance(self, seconds: float) -> float:
        """Move `now()` forward by `seconds` (never back: stored times stay monotonic)."""
        if seconds < 0:
            raise ValueError("advance_seconds must be >= 0: the simulator clock never goes back")
        with self._lock:
            self._offset += seconds
            return self._offset

    def reset(self) -> None:
        """Back to the wall clock (POST /_sim/reset)."""
        with self._lock:
            self._offset = 0.0
