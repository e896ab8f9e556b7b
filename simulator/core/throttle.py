"""The simulator's own send-rate limit: a GCRA that admits or refuses, never waits."""

import threading


class Throttle:
    """Admits at most `rate` sends per second after a burst of `burst`; thread-safe.

    The same GCRA as the workers' limiter (worker/ratelimit/policy.py), but it never makes
    anyone wait: a request that comes early is refused, like a provider's gateway.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tat = 0.0
        self._shape = (0.0, 0.0)

    def admit(self, now: float, rate: float, burst: float) -> bool:
        """True when a send at `now` fits `rate`/s (0: no limit) with `burst` (0: one)."""
        if rate <= 0:
            return True
        interval = 1.0 / rate
        tolerance = max(burst, 1.0) * interval
        with self._lock:
            if (rate, burst) != self._shape:  # new settings start from a full bucket
                self._shape, self._tat = (rate, burst), now
            tat = max(self._tat, now)
            if tat + interval - tolerance > now:
                return False
            self._tat = tat + interval
            return True
