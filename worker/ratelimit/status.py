"""Read-only view of a limit scope for status commands: effective rate and requests in flight."""

from dataclasses import dataclass

import redis

from worker.ratelimit.keys import LimitKeys
from worker.ratelimit.policy import MICROS, LimitPolicy


@dataclass(frozen=True, slots=True)
class LimitState:
    """What Redis holds for one scope, the effective rate projected to now."""

    scope: str
    effective_rate: float
    ceiling: float
    in_flight: int
    slow_downs: int
    seconds_since_slow_down: float | None


def read_state(client: redis.Redis, keys: LimitKeys, policy: LimitPolicy) -> LimitState:
    """Two reads, no writes: the stored rate with the recovery it would get now applied."""
    seconds, micros = client.time()
    now = seconds * MICROS + micros
    with client.pipeline(transaction=False) as pipe:
        pipe.hgetall(keys.rate)
        pipe.zcount(keys.in_flight, now, "+inf")
        stored, in_flight = pipe.execute()
    fields = {k.decode(): float(v) for k, v in stored.items()}
    stepped_at = fields.get("stepped_at")
    rate = policy.recovered(
        fields.get("rate"), None if stepped_at is None else int(stepped_at), now
    ).rate
    slowed_at = fields.get("slowed_at")
    since = None if slowed_at is None else (now - slowed_at) / MICROS
    return LimitState(
        keys.scope, rate, policy.ceiling, int(in_flight), int(fields.get("slow_downs", 0)), since
    )
