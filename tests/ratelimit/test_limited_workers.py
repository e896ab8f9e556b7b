"""Done-when: 4 real worker processes hold one provider-wide rate, and adapt to a provider's 429s.

Each test starts its own stack (tests/ratelimit/limited_stack.py): no eager mode, real
Celery processes, Redis db 14, a fresh PostgreSQL schema, the simulator as a process.
"""

from collections import Counter
from pathlib import Path

import pytest

from config.settings import get_settings
from producer.campaigns import create_campaign
from producer.report import campaign_report
from producer.sources import NumberList
from producer.spec import CampaignSpec
from tests.integration.conftest import wait_until
from tests.ratelimit.limited_stack import LimitedStack, limited_stack
from worker.db.engine import get_engine
from worker.ratelimit.keys import LimitKeys

pytestmark = pytest.mark.integration

SENS = LimitKeys.of("sens")


def _campaign(count: int, prefix: str) -> tuple[int, list[str]]:
    numbers = [f"{prefix}{i:07d}" for i in range(count)]
    spec = CampaignSpec(name="limited", sender="0212345678", template="rate limited hello")
    return create_campaign(spec, NumberList(numbers)).campaign_id, numbers


def _accepted(stack: LimitedStack) -> list[float]:
    return sorted(stack.stats()["accepted_times"])


def _steady_rate(times: list[float], warm_up: float, tail: float) -> float:
    """Requests/s from `warm_up` s after the first to `tail` s before the last."""
    begin, end = times[0] + warm_up, times[-1] - tail
    return sum(begin <= t < end for t in times) / (end - begin)


def test_four_processes_hold_50_per_second_never_above_it(tmp_path: Path) -> None:
    limits = {"rate_per_second": 50, "burst": 10, "batch_size": 1}
    # Polls would double the load of this 2-core machine during the measurement: later.
    with limited_stack(tmp_path, limits, poll_after=120) as stack:
        _campaign(650, "0105")  # 650 requests of one message: 13 s at 50/s
        assert wait_until(lambda: len(_accepted(stack)) >= 650, 90), stack.logs()
        times = _accepted(stack)
    rate = _steady_rate(times, warm_up=1.0, tail=0.5)
    slices = Counter(int(t * 10) for t in times)  # aligned 100 ms slices, burst included
    per_second = sorted(Counter(int(t - times[0]) for t in times).items())
    print(f"\nachieved {rate:.2f}/s over {times[-1] - times[0]:.1f} s; per second {per_second}")
    print(f"busiest 100 ms slice {max(slices.values())}")
    assert times[-1] - times[0] >= 10
    # Never above the limit (the provider's contract): 5% for the measurement. Below it, the
    # limiter is held to 60%: on two loaded cores the four workers themselves, not the
    # limiter, fall short of 50/s (measured 45.7/s under `stress --cpu 2`, 37.4/s beside a
    # mutation run), while a limiter granting half its rate or less still fails.
    assert 50 * 0.6 <= rate <= 50 * 1.05
    # GCRA lets the burst (10) go at once and then one every 20 ms: an aligned 100 ms slice
    # that holds the burst may also hold up to 5 of the steady flow, never more.
    assert max(slices.values()) <= 10 + 5


def test_simulator_limit_below_ours_slows_us_down_and_everyone_is_sent_once(
    tmp_path: Path,
) -> None:
    limits = {
        "rate_per_second": 40,
        "burst": 5,
        "batch_size": 10,
        "slow_down_factor": 0.5,
        "recovery_step": 1,
        "recovery_interval_seconds": 2,
    }
    with limited_stack(tmp_path, limits) as stack:
        stack.faults(rate_limit=20, rate_burst=5)
        campaign_id, numbers = _campaign(1500, "0106")  # 150 requests of 10
        samples: list[float] = []

        def sent_all() -> bool:
            samples.append(float(stack.redis.hget(SENS.rate, "rate") or 40))
            return len(_accepted(stack)) >= 150

        assert wait_until(sent_all, 90), stack.logs()
        settled = samples[-1]  # the stored effective rate when the last request went out
        engine = get_engine(get_settings().database_url)
        done = wait_until(lambda: campaign_report(engine, campaign_id).status == "completed", 60)
        stats = stack.stats()
        slow_downs = int(stack.redis.hget(SENS.rate, "slow_downs") or 0)
    print(f"\neffective rate samples min {min(samples)} max {max(samples)} settled {settled}")
    times = sorted(stats["accepted_times"])
    achieved = (len(times) - 1) / (times[-1] - times[0])
    print(f"simulator refused {stats['rate_limited']}; limiter slowed down {slow_downs} times")
    print(f"achieved {achieved:.2f}/s over {times[-1] - times[0]:.1f} s")
    assert done, "campaign did not complete"
    assert stats["duplicate_messages"] == 0
    assert all(stats["sent_to"].get(number) == 1 for number in numbers)
    assert stats["rate_limited"] > 0 and slow_downs >= 1
    assert min(samples) < 20
    # Recovery probes upward one step at a time, so it hovers just below the simulator's
    # limit: at the end it is at most one recovery step above 20, never back at 40.
    assert settled <= 20 + 1
    # The floor: a 429 comes only while our rate is at or above the simulator's 20/s (under
    # it, its GCRA with a burst of 5 admits everything unless a stall bunches more than 5
    # requests; our bucket is drained after each 429), and the 429s of requests in flight
    # together halve the rate once (SLOW_DOWN's counts_after). So every slow-down lands at
    # or above 20 × 0.5 = 10, and recovery only raises it (under `stress` a 429 drawn at
    # exactly 20 was seen to land at 10.0).
    floor = 20 * limits["slow_down_factor"]
    assert min(samples) >= floor and settled >= floor
    # Achieved: at most the simulator's 20/s (plus its burst of 5 over the run), and at
    # least the floor less a fifth: refused requests spend slots and, on a loaded machine,
    # workers go out a little after their slots.
    assert floor * 0.8 <= achieved <= 20 + 6 / (times[-1] - times[0])
