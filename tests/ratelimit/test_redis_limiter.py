"""The Redis backend and the gate on a real Redis (db 14): the scripts agree with the policy."""

import logging

import pytest
import redis

from bench.limiter_bench import CountingRedis
from config.provider_settings import ProviderLimits
from tests.ratelimit.conftest import limiter_redis_url
from worker.ratelimit.gate import Gate, MustWait
from worker.ratelimit.keys import LimitKeys
from worker.ratelimit.limiter import Grant, RedisLimiter, Verdict
from worker.ratelimit.policy import MICROS, LimitPolicy, gcra_slot, request_tolerance
from worker.ratelimit.status import LimitState, read_state

KEYS = LimitKeys.of("sens")
MS = 1000  # µs


def _policy(**limits: object) -> LimitPolicy:
    return LimitPolicy.from_limits(ProviderLimits(**limits))


def _redis_now(client: redis.Redis) -> int:
    """Redis's clock, µs: the tests pass times from here on, so no sleep decides a result,
    and the keys' expiries (real time on the server) stay in step with those times."""
    seconds, micros = client.time()
    return seconds * MICROS + micros


class _StoppedClock(RedisLimiter):
    """The limiter with its clock stopped at `now`: the gate's delays are exact."""

    def __init__(self, client: redis.Redis, now: int) -> None:
        super().__init__(client)
        self.now = now

    def acquire(
        self, keys: LimitKeys, policy: LimitPolicy, cost: int, holder: str, now: int | None = None
    ) -> Grant:
        return super().acquire(keys, policy, cost, holder, self.now)


def test_the_script_reserves_exactly_the_slots_the_policy_computes(limiter) -> None:
    policy = _policy(rate_per_second=20, burst=3, messages_per_second=200, message_burst=50)
    request_tat = message_tat = None
    for i, cost in enumerate([10, 40, 1, 30, 10, 5, 60, 2]):
        grant = limiter.acquire(KEYS, policy, cost, f"h{i}")
        assert grant.verdict is Verdict.RESERVED
        by_request = gcra_slot(request_tat, grant.admitted_at, 1, 20, request_tolerance(3, 20))
        by_message = gcra_slot(message_tat, grant.admitted_at, cost, 200, 50)
        expected = max(by_request.delay, by_message.delay)
        assert round(grant.delay * MICROS) == expected
        request_tat, message_tat = by_request.tat, by_message.tat


def test_a_100_recipient_batch_spends_100_message_tokens(limiter, limiter_redis) -> None:
    policy = _policy(rate_per_second=100, messages_per_second=100, message_burst=100)
    t0 = _redis_now(limiter_redis)
    assert limiter.acquire(KEYS, policy, 100, "a", t0).delay == 0
    assert limiter.acquire(KEYS, policy, 100, "b", t0).delay == 1.0


def test_a_wait_beyond_the_bound_reserves_nothing(limiter, limiter_redis) -> None:
    policy = _policy(rate_per_second=1, burst=1, max_wait_seconds=0.5)
    t0 = _redis_now(limiter_redis)
    assert limiter.acquire(KEYS, policy, 1, "a", t0).verdict is Verdict.RESERVED
    tat = limiter_redis.get(KEYS.requests)
    refused = limiter.acquire(KEYS, policy, 1, "b", t0)
    assert refused.verdict is Verdict.TOO_LONG
    assert refused.delay == 1.0
    assert limiter_redis.get(KEYS.requests) == tat
    assert limiter_redis.zrange(KEYS.in_flight, 0, -1) == [b"a"]


def test_the_in_flight_cap_refuses_until_a_slot_is_released(limiter) -> None:
    policy = _policy(rate_per_second=1000, burst=100, max_in_flight=2)
    assert [limiter.acquire(KEYS, policy, 1, h).verdict for h in "abc"] == [
        Verdict.RESERVED,
        Verdict.RESERVED,
        Verdict.BUSY,
    ]
    limiter.release(KEYS, "a")
    assert limiter.acquire(KEYS, policy, 1, "d").verdict is Verdict.RESERVED


def test_without_an_in_flight_cap_nobody_waits_for_a_slot(limiter, limiter_redis) -> None:
    policy = _policy(rate_per_second=1000, burst=100, max_in_flight=None)
    assert [limiter.acquire(KEYS, policy, 1, h).verdict for h in "abc"] == [Verdict.RESERVED] * 3
    assert not limiter_redis.exists(KEYS.in_flight)


def test_without_a_message_limit_only_the_request_rate_paces(limiter, limiter_redis) -> None:
    policy = _policy(rate_per_second=100, burst=20, messages_per_second=None)
    t0 = _redis_now(limiter_redis)
    assert [limiter.acquire(KEYS, policy, 1000, h, t0).delay for h in "ab"] == [0, 0]
    assert limiter.slow_down(KEYS, policy, 0, t0) == 50
    assert not limiter_redis.exists(KEYS.messages)  # no message bucket, not even drained


def test_a_dead_holder_frees_its_slot_when_its_lease_lapses(limiter, limiter_redis) -> None:
    policy = _policy(rate_per_second=1000, burst=100, max_in_flight=1, in_flight_lease_seconds=0.1)
    t0 = _redis_now(limiter_redis)
    assert limiter.acquire(KEYS, policy, 1, "dies", t0).verdict is Verdict.RESERVED
    assert limiter.acquire(KEYS, policy, 1, "x", t0 + 100 * MS - 1).verdict is Verdict.BUSY
    assert limiter.acquire(KEYS, policy, 1, "y", t0 + 100 * MS).verdict is Verdict.RESERVED


def test_a_429_halves_the_rate_once_for_requests_in_flight_together(limiter, limiter_redis) -> None:
    policy = _policy(rate_per_second=40, burst=5, min_rate=3)
    t0 = _redis_now(limiter_redis)
    first = limiter.acquire(KEYS, policy, 1, "a", t0)
    second = limiter.acquire(KEYS, policy, 1, "b", t0)
    assert limiter.slow_down(KEYS, policy, first.admitted_at, t0) == 20
    assert limiter.slow_down(KEYS, policy, second.admitted_at, t0) is None
    # "b" was reserved for +25 ms at the old rate; once it has gone out, a 429 counts again.
    assert limiter.slow_down(KEYS, policy, t0 + 25 * MS, t0 + 25 * MS) is None
    # The bucket is empty after a 429: the next request waits what is left of one interval
    # at the new rate (50 ms from the slow-down), here 50 - 30 ms.
    later = limiter.acquire(KEYS, policy, 1, "c", t0 + 30 * MS)
    assert (later.rate, later.delay) == (20, 0.02)
    assert limiter.slow_down(KEYS, policy, later.admitted_at, t0 + 30 * MS) == 10
    now, lowered = t0 + 50 * MS, []  # "c" has gone out at its slot: 429s count again
    for _ in range(5):
        now += MS  # each request admitted after the last slow-down's reservations
        grant = limiter.acquire(KEYS, policy, 1, "d", now)
        now += round(grant.delay * MICROS)  # sent at its slot, refused at once
        lowered.append(limiter.slow_down(KEYS, policy, grant.admitted_at, now))
    assert lowered == [5, 3, 3, 3, 3]  # down to the floor, never below it
    assert limiter.acquire(KEYS, policy, 1, "e", now).rate == 3


def test_the_rate_recovers_step_by_step_to_the_ceiling(limiter, limiter_redis) -> None:
    policy = _policy(rate_per_second=10, burst=10, recovery_step=2, recovery_interval_seconds=0.05)
    t0 = _redis_now(limiter_redis)
    limiter.slow_down(KEYS, policy, limiter.acquire(KEYS, policy, 1, "a", t0).admitted_at, t0)
    quiet = limiter.acquire(KEYS, policy, 1, "b", t0 + 50 * MS - 1)
    assert (quiet.rate, quiet.stepped) == (5, False)  # not yet one whole interval
    grant = limiter.acquire(KEYS, policy, 1, "c", t0 + 110 * MS)
    assert (grant.rate, grant.stepped) == (9, True)  # two whole intervals: two steps
    assert limiter.acquire(KEYS, policy, 1, "d", t0 + 149 * MS).rate == 9
    assert limiter.acquire(KEYS, policy, 1, "e", t0 + 150 * MS).rate == 10  # the ceiling


def test_a_429_counts_only_once_the_old_rates_reservations_went_out(limiter, limiter_redis) -> None:
    policy = _policy(rate_per_second=10, burst=1)
    t0 = _redis_now(limiter_redis)
    grants = [limiter.acquire(KEYS, policy, 1, str(i), t0) for i in range(4)]  # out by +0.3 s
    assert limiter.slow_down(KEYS, policy, grants[0].admitted_at, t0) == 5
    # Admitted while those still go out, up to the last one's slot: the 429 says nothing new.
    overlapping = limiter.acquire(KEYS, policy, 1, "x", t0 + 300 * MS)
    assert limiter.slow_down(KEYS, policy, overlapping.admitted_at, t0 + 300 * MS) is None
    after = limiter.acquire(KEYS, policy, 1, "y", t0 + 300 * MS + 1)
    assert limiter.slow_down(KEYS, policy, after.admitted_at, t0 + 300 * MS + 1) == 2.5


def test_a_lowered_ceiling_applies_at_once(limiter) -> None:
    limiter.slow_down(KEYS, _policy(rate_per_second=100), 0)  # stored rate 50
    assert limiter.acquire(KEYS, _policy(rate_per_second=20), 1, "a").rate == 20


def test_one_redis_call_per_acquisition() -> None:
    client = CountingRedis.from_url(limiter_redis_url())
    limiter = RedisLimiter(client)
    policy = _policy(rate_per_second=1000, burst=1000, max_in_flight=None)
    limiter.acquire(KEYS, policy, 1, "warm")  # loads the script if Redis lacks it
    client.calls.clear()
    for i in range(50):
        limiter.acquire(KEYS, policy, 1, str(i))
    assert dict(client.calls) == {"EVALSHA": 50}


def test_the_gate_sleeps_the_delay_and_releases_its_slot(limiter_redis) -> None:
    slept: list[float] = []
    limits = ProviderLimits(rate_per_second=10, burst=1, max_in_flight=4)
    limiter = _StoppedClock(limiter_redis, _redis_now(limiter_redis))
    gate = Gate("sens", limits, limiter, sleep=slept.append)
    with gate.admitted(1):
        assert limiter_redis.zcard(KEYS.in_flight) == 1
    with pytest.raises(RuntimeError), gate.admitted(1):
        raise RuntimeError("the send failed")
    assert slept == [0.0, 0.1]
    assert limiter_redis.zcard(KEYS.in_flight) == 0


def test_the_gate_asks_to_requeue_rather_than_sleep_long(limiter_redis) -> None:
    limiter = _StoppedClock(limiter_redis, _redis_now(limiter_redis))
    limits = ProviderLimits(rate_per_second=0.5, burst=1, max_wait_seconds=1)
    gate = Gate("sens", limits, limiter, sleep=lambda _: None)
    with gate.admitted(1):
        pass
    with pytest.raises(MustWait) as raised, gate.admitted(1):
        pass
    assert raised.value.seconds == 2.0
    busy = Gate("sens", ProviderLimits(max_in_flight=1), limiter, sleep=lambda _: None)
    with busy.admitted(1), pytest.raises(MustWait) as full, busy.admitted(1):
        pass
    assert 0.5 <= full.value.seconds <= 1.5


def test_the_gate_logs_the_new_effective_rate(limiter, caplog) -> None:
    gate = Gate("sens", ProviderLimits(rate_per_second=50), limiter, sleep=lambda _: None)
    caplog.set_level(logging.INFO, logger="worker.ratelimit")
    with gate.admitted(1) as ticket:
        gate.slow_down(ticket, "HTTP 429")
        gate.slow_down(ticket, "HTTP 429")  # the same slow-down, reported twice
    assert [r.getMessage() for r in caplog.records] == [
        "provider=sens effective_rate=25.0/s reason=429"
    ]


def test_limits_per_sender_use_keys_of_their_own(limiter, limiter_redis) -> None:
    limits = ProviderLimits(rate_per_second=1, burst=1, per_sender=True)
    gate = Gate("sens", limits, limiter, sleep=lambda _: None)
    for sender in ("0212345678", "0298765432"):
        with gate.admitted(1, sender):
            pass
    assert limiter_redis.exists(LimitKeys.of("sens", "0212345678").requests)
    assert limiter_redis.exists(LimitKeys.of("sens", "0298765432").requests)
    assert not limiter_redis.exists(KEYS.requests)


def test_the_status_view_reads_rate_slow_downs_and_in_flight(limiter, limiter_redis) -> None:
    policy = _policy(rate_per_second=30, max_in_flight=5)
    assert read_state(limiter_redis, KEYS, policy).effective_rate == 30
    grant = limiter.acquire(KEYS, policy, 1, "a")
    limiter.slow_down(KEYS, policy, grant.admitted_at)
    state = read_state(limiter_redis, KEYS, policy)
    assert (state.effective_rate, state.ceiling, state.in_flight, state.slow_downs) == (
        15,
        30,
        1,
        1,
    )
    # read_state reads Redis's own clock: the slow-down was just now, give or take a loaded
    # machine's few seconds.
    assert state.seconds_since_slow_down is not None and 0 <= state.seconds_since_slow_down < 5


def test_the_status_view_of_an_untouched_scope(limiter_redis) -> None:
    state = read_state(limiter_redis, KEYS, _policy(rate_per_second=30))
    assert state == LimitState("sens", 30, 30, 0, 0, None)


def test_the_status_view_projects_the_recovery_since_the_last_step(limiter, limiter_redis) -> None:
    policy = _policy(rate_per_second=30, recovery_step=2, recovery_interval_seconds=10)
    assert limiter.slow_down(KEYS, policy, 0, _redis_now(limiter_redis) - 25 * MICROS) == 15
    # Two whole quiet intervals since: two steps, read on Redis's clock a moment later.
    assert read_state(limiter_redis, KEYS, policy).effective_rate == 19
