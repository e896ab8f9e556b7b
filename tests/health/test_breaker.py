"""The breaker on a real Redis (db 8): shared by workers, atomic, and agreeing with the rules."""

import logging
import multiprocessing
import random
import threading
from collections.abc import Callable

import pytest
import redis

from tests.health.conftest import T0, Clock, breaker_redis_url, policy
from worker.health.breaker import Breaker, all_health, errors_key, state_key
from worker.health.rules import (
    BreakerState,
    Event,
    Failure,
    FailureKind,
    Health,
    ProbeClaimed,
    ProbeReleased,
    Slow,
    Success,
    allows,
    next_state,
    settle,
)
from worker.providers.errors import AuthFailed, SlowDown

Workers = Callable[..., Breaker]
CLOSED, OPEN, HALF_OPEN = BreakerState.CLOSED, BreakerState.OPEN, BreakerState.HALF_OPEN


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "worker.health"]


def _all_at_once(count: int, work: Callable[[int], object]) -> list[object]:
    """Run `work(i)` on `count` threads released together by a barrier; their results."""
    start, results = threading.Barrier(count), [None] * count

    def run(i: int) -> None:
        start.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _open_then_cool_down(breaker: Breaker, clock: Clock) -> None:
    breaker.record_failure("auth", "HTTP 401")
    clock.advance(breaker.policy.open_seconds)


def test_two_workers_share_one_breaker(worker: Workers) -> None:
    first, second = worker(), worker()
    for _ in range(3):
        first.record_failure("server", "HTTP 503")
    health = second.health()
    assert (health.state, health.since) == (OPEN, T0)
    assert health.reason == "3 errors in 60 s (last: server, HTTP 503)"
    assert not second.allow()


def test_errors_from_many_workers_at_once_count_exactly(worker: Workers) -> None:
    breakers = [worker(errors_to_open=1000) for _ in range(8)]

    def fail(i: int) -> None:
        for _ in range(50):
            breakers[i].record_failure("timeout", "read timed out")

    _all_at_once(8, fail)
    assert breakers[0].health().errors == 400


def _fail_in_a_process(count: int) -> None:
    """One worker process (spawned: its own interpreter and connection)."""
    client = redis.Redis.from_url(breaker_redis_url())
    breaker = Breaker(client, "sens", policy(errors_to_open=1000), clock=lambda: T0)
    for _ in range(count):
        breaker.record_failure("network", "connection refused")


def test_errors_from_two_processes_count_exactly(worker: Workers) -> None:
    spawn = multiprocessing.get_context("spawn")
    processes = [spawn.Process(target=_fail_in_a_process, args=(100,)) for _ in range(2)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [p.exitcode for p in processes] == [0, 0]
    assert worker(errors_to_open=1000).health().errors == 200


def test_errors_at_once_open_it_once_and_log_it_once(worker: Workers, caplog) -> None:
    caplog.set_level(logging.INFO, logger="worker.health")
    breakers = [worker(errors_to_open=20) for _ in range(8)]

    def fail(i: int) -> None:
        for _ in range(10):
            breakers[i].record_failure("server", "HTTP 500")

    _all_at_once(8, fail)
    assert breakers[0].health().state is OPEN
    assert _messages(caplog) == ["breaker sens opened: 20 errors in 60 s (last: server, HTTP 500)"]


def test_exactly_one_of_many_concurrent_callers_gets_the_probe(
    worker: Workers, clock: Clock, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="worker.health")
    breakers = [worker() for _ in range(32)]
    for _ in range(20):  # a race shows only now and then: run it many times
        breakers[0].record_failure("auth", "HTTP 401")  # opens, or the last probe failed
        clock.advance(breakers[0].policy.open_seconds)
        allowed = _all_at_once(32, lambda i: breakers[i].allow())
        assert allowed.count(True) == 1
        health = breakers[0].health()
        assert (health.state, health.probe_in_flight) == (HALF_OPEN, True)
    assert _messages(caplog).count("breaker sens half-open: probing") == 20


def test_the_probe_lease_lapses_and_another_caller_probes(
    worker: Workers, clock: Clock, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="worker.health")
    dies, other = worker(), worker()
    _open_then_cool_down(dies, clock)
    assert dies.allow()  # its worker dies with the probe
    clock.advance(dies.policy.probe_lease_seconds - 0.001)
    assert not other.allow()
    clock.advance(0.001)
    assert other.allow()
    assert not dies.allow()
    assert _messages(caplog)[-1] == (
        "breaker sens half-open: the last probe's lease lapsed, probing again"
    )


def test_a_released_probe_lets_another_caller_probe(worker: Workers, clock: Clock) -> None:
    first, second = worker(), worker()
    _open_then_cool_down(first, clock)
    assert first.allow()
    assert not second.allow()
    first.release_probe()
    assert second.allow()


def test_open_half_open_closed_each_logged_once(worker: Workers, clock: Clock, caplog) -> None:
    caplog.set_level(logging.INFO, logger="worker.health")
    first, second = worker(), worker()
    for _ in range(3):
        first.record_failure("server", "HTTP 503")
    first.record_failure("server", "HTTP 503")  # open: changes nothing
    assert not second.allow()
    clock.advance(30)
    assert second.allow()
    assert not first.allow()
    second.record_success()
    first.record_success()
    assert first.allow()
    assert second.health() == Health("sens", CLOSED, "", T0 + 30)
    assert _messages(caplog) == [
        "breaker sens opened: 3 errors in 60 s (last: server, HTTP 503)",
        "breaker sens half-open: probing",
        "breaker sens closed",
    ]


def test_a_failed_probe_opens_it_again_from_now(worker: Workers, clock: Clock, caplog) -> None:
    caplog.set_level(logging.INFO, logger="worker.health")
    breaker = worker()
    _open_then_cool_down(breaker, clock)
    assert breaker.allow()
    clock.advance(2)
    breaker.record_failure("timeout", "read timed out")
    health = breaker.health()
    assert (health.state, health.since, health.probe_in_flight) == (OPEN, T0 + 32, False)
    clock.advance(29.999)
    assert not breaker.allow()
    assert _messages(caplog)[-1] == "breaker sens opened: probe failed (timeout, read timed out)"


def test_an_error_exactly_window_seconds_old_has_left_the_window(
    worker: Workers, clock: Clock
) -> None:
    breaker = worker()
    breaker.record_failure("server", "HTTP 502")
    clock.advance(1)
    breaker.record_failure("server", "HTTP 502")
    clock.advance(59)  # the first error is now exactly 60 s old
    breaker.record_failure("server", "HTTP 502")
    health = breaker.health()
    assert (health.state, health.error_times) == (CLOSED, (T0 + 1, T0 + 60))
    clock.advance(0.999)  # the second is 59.999 s old: still inside
    breaker.record_failure("server", "HTTP 502")
    assert breaker.health().state is OPEN


def test_the_error_window_expires_in_redis(worker: Workers, breaker_redis) -> None:
    worker().record_failure("network", "connection refused")
    assert 0 < breaker_redis.pttl(errors_key("sens")) <= 60_000


def test_authentication_failure_opens_it_at_once(worker: Workers) -> None:
    breaker = worker()
    breaker.record_error(AuthFailed("keys", provider="sens", status=401))
    health = breaker.health()
    assert (health.state, health.reason) == (OPEN, "credentials refused (HTTP 401)")


def test_429s_never_reach_redis(worker: Workers, breaker_redis) -> None:
    breaker = worker(errors_to_open=1)
    breaker.record_failure("rate_limited", "HTTP 429")
    breaker.record_error(SlowDown("quota", provider="sens", status=429))
    assert breaker_redis.dbsize() == 0
    assert breaker.health().state is CLOSED


def test_an_unknown_failure_kind_is_refused(worker: Workers) -> None:
    with pytest.raises(ValueError, match="bogus"):
        worker().record_failure("bogus", "?")


def test_a_success_while_closed_writes_nothing(worker: Workers, breaker_redis) -> None:
    breaker = worker()
    breaker.record_success()
    assert breaker_redis.dbsize() == 0
    breaker.record_failure("server", "HTTP 503")
    breaker.record_success()
    assert breaker.health().errors == 1


@pytest.mark.parametrize(
    ("share", "awaited", "state"),
    [(0.15, 1000, CLOSED), (0.16, 1000, OPEN), (0.5, 99, CLOSED), (0.5, 100, OPEN)],
)
def test_slow_results_open_it_above_the_share_over_enough_messages(
    worker: Workers, share: float, awaited: int, state: BreakerState
) -> None:
    breaker = worker()
    breaker.record_slow(share, awaited)
    assert breaker.health().state is state


def test_slow_results_are_logged_with_their_share(worker: Workers, caplog) -> None:
    caplog.set_level(logging.INFO, logger="worker.health")
    worker().record_slow(0.2, 400)
    assert _messages(caplog) == [
        "breaker sens opened: 20% of 400 messages without a result 300 s after their send"
    ]


def test_all_health_reads_every_provider(worker: Workers, clock: Clock, breaker_redis) -> None:
    worker("nhn").record_failure("auth", "HTTP 403")
    worker("sens").record_failure("server", "HTTP 503")
    found = all_health(breaker_redis, ["sens", "nhn", "other"], policy(), clock)
    assert [(h.provider, h.state, h.errors) for h in found] == [
        ("sens", CLOSED, 1),
        ("nhn", OPEN, 0),
        ("other", CLOSED, 0),
    ]
    assert sorted(breaker_redis.keys()) == sorted(
        [state_key("nhn").encode(), errors_key("sens").encode()]
    )


def _random_event(rng: random.Random) -> Event:
    roll = rng.random()
    if roll < 0.35:
        kind = rng.choice([FailureKind.SERVER, FailureKind.TIMEOUT, FailureKind.RATE_LIMITED])
        return Failure(FailureKind.AUTH if rng.random() < 0.05 else kind, "detail")
    if roll < 0.55:
        return Success()
    if roll < 0.6:
        return Slow(rng.choice([0.1, 0.5]), rng.choice([50, 500]))
    return ProbeReleased() if roll < 0.65 else ProbeClaimed()


def _apply(breaker: Breaker, event: Event) -> bool | None:
    match event:
        case Success():
            breaker.record_success()
        case Failure(kind=kind, detail=detail):
            breaker.record_failure(kind, detail)
        case Slow(share=share, awaited=awaited):
            breaker.record_slow(share, awaited)
        case ProbeClaimed():
            return breaker.allow()
        case ProbeReleased():
            breaker.release_probe()
    return None


@pytest.mark.parametrize("seed", range(10))
def test_the_scripts_agree_with_the_rules(worker: Workers, clock: Clock, seed: int) -> None:
    rng, breaker = random.Random(seed), worker()
    expected = Health("sens")
    for _ in range(300):
        clock.advance(rng.choice([0, 0.5, 3, 10, 25]) + rng.random())
        event = _random_event(rng)
        allowed = _apply(breaker, event)
        if allowed is not None:
            assert allowed == allows(expected, clock.now, breaker.policy)
        expected = next_state(expected, event, breaker.policy, clock.now)
        assert breaker.health() == settle(expected, breaker.policy, clock.now)
