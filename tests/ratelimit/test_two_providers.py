"""Done-when: two providers' limits, shared by processes, hold independently of each other.

Only SENS exists as a provider today, so this drives the limiter directly from four
spawned processes (bench/limiter_bench.py), two per provider key, at the same time.
"""

import redis

from bench.limiter_bench import achieved_rate, run_processes
from config.provider_settings import ProviderLimits
from tests.ratelimit.conftest import limiter_redis_url
from worker.ratelimit.keys import LimitKeys
from worker.ratelimit.limiter import RedisLimiter
from worker.ratelimit.policy import LimitPolicy

ALPHA = {"rate_per_second": 40, "burst": 4, "recovery_interval_seconds": 600}
BETA = {"rate_per_second": 30, "burst": 4, "recovery_interval_seconds": 600}


def test_two_provider_keys_are_limited_independently(limiter_redis: redis.Redis) -> None:
    # beta was slowed down by a 429 (30 → 15/s); alpha must not notice.
    beta = LimitPolicy.from_limits(ProviderLimits(**BETA))
    RedisLimiter(limiter_redis).slow_down(LimitKeys.of("beta"), beta, 0)
    jobs = [("alpha", ALPHA), ("beta", BETA), ("alpha", ALPHA), ("beta", BETA)]
    runs = run_processes(limiter_redis_url(), jobs, seconds=6)
    alpha_times = sorted(t for run in runs if run.scope == "alpha" for t in run.times)
    beta_times = sorted(t for run in runs if run.scope == "beta" for t in run.times)
    alpha, beta_rate = achieved_rate(alpha_times), achieved_rate(beta_times)
    print(f"\nalpha {alpha:.2f}/s (target 40), beta {beta_rate:.2f}/s (target 15)")
    assert abs(alpha - 40) <= 40 * 0.05
    assert abs(beta_rate - 15) <= 15 * 0.05
    assert all(len(run.times) > 0 for run in runs)
