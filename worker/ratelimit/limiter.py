"""The Redis backend: runs the scripts with a policy's numbers and reads back their answers."""

from dataclasses import dataclass
from enum import IntEnum

import redis

from worker.ratelimit import scripts
from worker.ratelimit.keys import LimitKeys
from worker.ratelimit.policy import MICROS, LimitPolicy


class Verdict(IntEnum):
    """What an acquisition got (the acquire script's status)."""

    RESERVED = 0
    TOO_LONG = 1
    BUSY = 2


@dataclass(frozen=True, slots=True)
class Grant:
    """One acquire answer: the verdict, the wait, and the effective rate it used."""

    verdict: Verdict
    delay: float  # seconds
    rate: float  # effective requests/s
    admitted_at: int  # Redis server time, µs
    stepped: bool  # this call raised the effective rate (a recovery step)


class RedisLimiter:
    """Acquire, release and slow down limits held in Redis (scripts run with EVALSHA)."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        # register_script sends EVALSHA and loads the script only when Redis lacks it.
        self._acquire = client.register_script(scripts.ACQUIRE)
        self._slow_down = client.register_script(scripts.SLOW_DOWN)

    def acquire(
        self, keys: LimitKeys, policy: LimitPolicy, cost: int, holder: str, now: int | None = None
    ) -> Grant:
        """One round trip: reserve a slot for a request of `cost` messages, or refuse.

        `now` (µs) replaces the Redis server's clock: for tests only, the workers never pass it.
        """
        args = (
            policy.ceiling,
            policy.burst,
            policy.messages_per_second or 0,
            policy.message_burst,
            cost,
            policy.max_wait,
            policy.recovery_step,
            policy.recovery_interval,
            policy.max_in_flight or 0,
            holder,
            policy.lease,
            *_clock(now),
        )
        verdict, delay, rate, at, stepped = self._acquire(keys=keys.all(), args=args)
        return Grant(Verdict(verdict), delay / MICROS, float(rate), int(at), bool(stepped))

    def release(self, keys: LimitKeys, holder: str) -> None:
        """Free an in-flight slot; ZREM alone is atomic, so no script is needed."""
        self.client.zrem(keys.in_flight, holder)

    def slow_down(
        self, keys: LimitKeys, policy: LimitPolicy, admitted_at: int, now: int | None = None
    ) -> float | None:
        """Lower the effective rate and empty the buckets after a 429; None if one already did.

        `now` (µs) replaces the Redis server's clock, as in `acquire`.
        """
        args = (
            policy.ceiling,
            policy.slow_down_factor,
            policy.min_rate,
            admitted_at,
            policy.burst,
            policy.messages_per_second or 0,
            policy.message_burst,
            *_clock(now),
        )
        keys_used = [keys.rate, keys.requests, keys.messages]
        lowered, rate = self._slow_down(keys=keys_used, args=args)
        return float(rate) if lowered else None


def _clock(now: int | None) -> tuple[int, ...]:
    """The scripts' optional last argument: an explicit "now", or nothing (Redis TIME)."""
    return () if now is None else (now,)
