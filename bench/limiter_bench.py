"""Benchmark the shared limiter: N processes acquire from one key at a target rate.

    .venv/bin/python -m bench.limiter_bench --processes 4 --rate 200 --seconds 10

Prints the achieved rate against the target, the busiest 100 ms slice, Redis calls per
acquisition (counted in each client, and EVALSHA calls from INFO commandstats), the spread
of acquisitions across processes and the acquire round-trip time. Uses Redis db 14.
"""

import argparse
import multiprocessing as mp
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis

from config.provider_settings import ProviderLimits
from worker.ratelimit.keys import LimitKeys
from worker.ratelimit.limiter import RedisLimiter, Verdict
from worker.ratelimit.policy import BURST_WINDOW, LimitPolicy, request_tolerance

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"


class CountingRedis(redis.Redis):
    """A client that counts the commands it sends (EVALSHA, ZREM, …) by name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls: Counter[str] = Counter()

    def execute_command(self, *args: Any, **options: Any) -> Any:
        """Count, then send as usual."""
        self.calls[str(args[0]).upper()] += 1
        return super().execute_command(*args, **options)


@dataclass(frozen=True, slots=True)
class Run:
    """What one process did: when each acquisition let it go, its commands, its latencies."""

    scope: str
    times: list[float]
    calls: dict[str, int]
    round_trips: list[float]


def acquire_loop(redis_url: str, scope: str, limits: dict[str, Any], seconds: float) -> Run:
    """Acquire from `scope` for `seconds`, sleeping each returned delay, as the send task does."""
    client = CountingRedis.from_url(redis_url)
    limiter, keys = RedisLimiter(client), LimitKeys.of(scope)
    policy = LimitPolicy.from_limits(ProviderLimits(**limits))
    times: list[float] = []
    round_trips: list[float] = []
    end = time.time() + seconds
    while time.time() < end:
        holder = uuid.uuid4().hex
        began = time.perf_counter()
        grant = limiter.acquire(keys, policy, 1, holder)
        round_trips.append(time.perf_counter() - began)
        time.sleep(grant.delay)  # a refusal would re-queue in a worker; here it just waits
        if grant.verdict is Verdict.RESERVED:
            times.append(time.time())
            if policy.max_in_flight:
                limiter.release(keys, holder)
    return Run(scope, times, dict(client.calls), round_trips)


def _child(barrier: Any, results: Any, *args: Any) -> None:
    barrier.wait()  # every process imported and connected: start together
    results.put(acquire_loop(*args))


def run_processes(
    redis_url: str, jobs: Sequence[tuple[str, dict[str, Any]]], seconds: float
) -> list[Run]:
    """One fresh (spawned) process per (scope, limits) job, all starting at once."""
    context = mp.get_context("spawn")
    barrier, results = context.Barrier(len(jobs)), context.Queue()
    processes = [
        context.Process(target=_child, args=(barrier, results, redis_url, scope, limits, seconds))
        for scope, limits in jobs
    ]
    for process in processes:
        process.start()
    runs = [results.get(timeout=seconds + 60) for _ in processes]
    for process in processes:
        process.join()
    return runs


def achieved_rate(times: Sequence[float], skip: float = 0.5) -> float:
    """Acquisitions per second, leaving out the first `skip` s (the burst) and the tail."""
    ordered = sorted(times)
    begin, end = ordered[0] + skip, ordered[-1]
    inside = [t for t in ordered if begin <= t < end]
    return len(inside) / (end - begin)


def busiest_slice(times: Sequence[float], width: float = 0.1) -> int:
    """The most acquisitions in any aligned `width`-second slice."""
    return max(Counter(int(t / width) for t in times).values())


def _commandstats(client: redis.Redis) -> dict[str, int]:
    stats = client.info("commandstats")
    return {name: int(value["calls"]) for name, value in stats.items()}


def report(runs: list[Run], rate: float, burst: int, evalsha_calls: int) -> None:
    """Print the figures."""
    times = [t for run in runs for t in run.times]
    total = len(times)
    calls = Counter[str]()
    for run in runs:
        calls.update(run.calls)
    counts = [len(run.times) for run in runs]
    trips = sorted(t for run in runs for t in run.round_trips)
    achieved = achieved_rate(times)
    print(f"target {rate:.1f}/s  achieved {achieved:.2f}/s  ({(achieved / rate - 1) * 100:+.2f}%)")
    # The limiter's tolerance is max(1, burst - rate/10), so 100 ms hold at most this many.
    ceiling = request_tolerance(burst, rate) + rate * BURST_WINDOW
    print(f"busiest 100 ms slice {busiest_slice(times)} (burst {burst}; at most {ceiling:.0f})")
    print(f"acquisitions {total}; client commands {dict(calls)}")
    print(f"  EVALSHA per acquisition {calls['EVALSHA'] / total:.3f} (server: {evalsha_calls})")
    print(f"  all commands per acquisition {sum(calls.values()) / total:.3f}")
    print(f"spread: {counts}; min/max share {min(counts) / total:.3f}/{max(counts) / total:.3f}")
    p50, p99 = trips[len(trips) // 2], trips[int(len(trips) * 0.99)]
    print(f"acquire round trip p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms")
    print(f"  mean {statistics.fmean(trips) * 1000:.2f} ms")


def measure(
    processes: int,
    rate: float,
    burst: int,
    seconds: float,
    max_in_flight: int = 0,
    redis_url: str = DEFAULT_REDIS_URL,
) -> tuple[list[Run], int]:
    """Run the processes on a fresh scope; their runs and the EVALSHA calls Redis counted."""
    scope = f"bench-{uuid.uuid4().hex[:8]}"
    limits = {"rate_per_second": rate, "burst": burst, "max_in_flight": max_in_flight or None}
    admin = redis.Redis.from_url(redis_url)
    before = _commandstats(admin)
    runs = run_processes(redis_url, [(scope, limits)] * processes, seconds)
    after = _commandstats(admin)
    return runs, after.get("cmdstat_evalsha", 0) - before.get("cmdstat_evalsha", 0)


def summary(runs: list[Run], rate: float) -> dict[str, float]:
    """The headline figures: achieved rate, busiest 100 ms slice, commands per acquisition."""
    times = [t for run in runs for t in run.times]
    calls = sum(sum(run.calls.values()) for run in runs)
    trips = sorted(t for run in runs for t in run.round_trips)
    return {
        "target": rate,
        "achieved": achieved_rate(times),
        "busiest_slice": busiest_slice(times),
        "commands_per_acquisition": calls / len(times),
        "p99_ms": trips[int(len(trips) * 0.99)] * 1000,
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Parse flags, run the processes, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--burst", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--max-in-flight", type=int, default=0, help="0: no cap")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args(argv)
    runs, evalsha = measure(
        args.processes, args.rate, args.burst, args.seconds, args.max_in_flight, args.redis_url
    )
    print(f"{args.processes} processes, one key, {args.seconds:.0f} s")
    report(runs, args.rate, args.burst, evalsha)


if __name__ == "__main__":
    main()
