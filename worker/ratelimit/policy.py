"""The limit policy: GCRA slot arithmetic and the adaptive-rate rules, free of Redis.

The Lua scripts in `worker.ratelimit.scripts` do exactly this arithmetic on the server;
tests/ratelimit/test_policy.py checks the rules, test_limiter.py that the two agree.
Times are integer microseconds, as the scripts read them from Redis TIME.
"""

import math
from dataclasses import dataclass

from config.provider_settings import ProviderLimits

MICROS = 1_000_000


@dataclass(frozen=True, slots=True)
class Slot:
    """A reservation: wait `delay` µs, and the theoretical arrival time it leaves behind."""

    delay: int
    tat: int


def gcra_slot(tat: int | None, now: int, cost: float, rate: float, burst: float) -> Slot:
    """The next free slot for `cost` units at `rate`/s with `burst` units of tolerance.

    GCRA (ITU-T I.371 virtual scheduling, as in redis-cell and Brandur's throttled):
    each unit moves the theoretical arrival time (TAT) on by one emission interval;
    a request may go once it is no more than `burst` intervals ahead of now.
    """
    interval = MICROS / rate
    start = max(tat or now, now)
    new_tat = start + cost * interval
    return Slot(max(0, math.ceil(new_tat - burst * interval - now)), math.ceil(new_tat))


# `burst` is the most requests any window this long may hold (the scripts use the same).
BURST_WINDOW = 0.1


def request_tolerance(burst: int, rate: float) -> float:
    """GCRA tolerance (in intervals) that keeps any BURST_WINDOW to at most `burst` requests.

    A window of length W holds at most tolerance + rate × W requests under GCRA, so the
    tolerance is what is left of `burst` after the steady rate's share; always at least 1.
    """
    return max(1.0, burst - rate * BURST_WINDOW)


def drained_tat(tat: int | None, now: int, rate: float, burst: int) -> int:
    """The TAT of an empty bucket (the next unit waits one interval), or `tat` if later.

    After a 429 the provider's bucket is empty; at a lower rate our old TAT would leave
    room for a burst, which would draw the next 429 at once.
    """
    return max(tat or now, math.ceil(now + burst * MICROS / rate))


@dataclass(frozen=True, slots=True)
class Recovery:
    """The effective rate after recovery, and the time its next step counts from."""

    rate: float
    stepped_at: int
    stepped: bool


@dataclass(frozen=True, slots=True)
class LimitPolicy:
    """One provider's limits in the units the scripts take; built from ProviderLimits."""

    ceiling: float
    burst: int
    messages_per_second: float | None
    message_burst: int
    max_in_flight: int | None
    lease: int
    max_wait: int
    slow_down_factor: float
    min_rate: float
    recovery_step: float
    recovery_interval: int

    @classmethod
    def from_limits(cls, limits: ProviderLimits) -> "LimitPolicy":
        """Seconds become microseconds; the floor never exceeds the ceiling."""
        return cls(
            ceiling=limits.rate_per_second,
            burst=limits.burst,
            messages_per_second=limits.messages_per_second,
            message_burst=limits.message_burst,
            max_in_flight=limits.max_in_flight,
            lease=round(limits.in_flight_lease_seconds * MICROS),
            max_wait=round(limits.max_wait_seconds * MICROS),
            slow_down_factor=limits.slow_down_factor,
            min_rate=min(limits.min_rate, limits.rate_per_second),
            recovery_step=limits.recovery_step,
            recovery_interval=round(limits.recovery_interval_seconds * MICROS),
        )

    def message_rate(self, rate: float) -> float | None:
        """The message limit follows the request rate down: both slow by the same factor."""
        if self.messages_per_second is None:
            return None
        return self.messages_per_second * rate / self.ceiling

    def slowed(self, rate: float) -> float:
        """The effective rate after a 429: multiplied down, never below the floor."""
        return max(self.min_rate, min(rate, self.ceiling) * self.slow_down_factor)

    def recovered(self, rate: float | None, stepped_at: int | None, now: int) -> Recovery:
        """One `recovery_step` per whole quiet `recovery_interval`, up to the ceiling.

        Additive increase after a multiplicative decrease (AIMD, as TCP congestion control,
        RFC 5681): halving reacts fast, small steps probe back without a 429 storm.
        """
        if rate is None or rate >= self.ceiling:
            return Recovery(self.ceiling, now, rate is not None and rate > self.ceiling)
        since = now if stepped_at is None else stepped_at
        steps = (now - since) // self.recovery_interval
        if steps <= 0:
            return Recovery(rate, since, False)
        raised = min(self.ceiling, rate + steps * self.recovery_step)
        return Recovery(raised, since + steps * self.recovery_interval, True)
