"""The limit policy without Redis: GCRA slots, slow-down, recovery, settings."""

from hypothesis import given
from hypothesis import strategies as st

from config.provider_settings import ProviderLimits
from config.settings import Settings
from worker.ratelimit.policy import (
    MICROS,
    LimitPolicy,
    Recovery,
    drained_tat,
    gcra_slot,
    request_tolerance,
)

NOW = 1_700_000_000 * MICROS


def _policy(**limits: object) -> LimitPolicy:
    return LimitPolicy.from_limits(ProviderLimits(**limits))


def test_a_burst_goes_at_once_then_one_per_interval() -> None:
    tat, delays = None, []
    for _ in range(5):
        slot = gcra_slot(tat, NOW, 1, rate=10, burst=3)
        tat = slot.tat
        delays.append(slot.delay)
    assert delays == [0, 0, 0, 100_000, 200_000]


def test_a_request_of_many_messages_spends_as_many_tokens() -> None:
    first = gcra_slot(None, NOW, 100, rate=100, burst=100)
    second = gcra_slot(first.tat, NOW, 100, rate=100, burst=100)
    assert (first.delay, second.delay) == (0, MICROS)


def test_an_idle_limit_is_a_full_bucket_again() -> None:
    old = gcra_slot(None, NOW, 5, rate=10, burst=5).tat
    assert gcra_slot(old, NOW + 10 * MICROS, 5, rate=10, burst=5).delay == 0


@given(
    gaps=st.lists(st.integers(0, 300_000), min_size=1, max_size=200),
    rate=st.floats(1, 500),
    burst=st.integers(1, 20),
)
def test_no_window_admits_more_than_burst_plus_rate_times_its_length(gaps, rate, burst) -> None:
    tat, now, sends = None, NOW, []
    for gap in gaps:
        now += gap
        slot = gcra_slot(tat, now, 1, rate, burst)
        tat = slot.tat
        sends.append(now + slot.delay)
    for i, start in enumerate(sends):
        for j in range(i, len(sends)):
            # Slots are whole microseconds: each step may round up to 1 µs early.
            span = sends[j] - start + (j - i)
            assert j - i + 1 <= burst + span * rate / MICROS + 1e-6


def test_a_429_halves_the_rate_but_not_below_the_floor() -> None:
    policy = _policy(rate_per_second=10, min_rate=3)
    assert policy.slowed(10) == 5
    assert policy.slowed(5) == 3
    assert policy.slowed(40) == 5  # never from above the ceiling


def test_the_floor_never_exceeds_the_ceiling() -> None:
    assert _policy(rate_per_second=2, min_rate=5).min_rate == 2


def test_recovery_adds_one_step_per_quiet_interval_up_to_the_ceiling() -> None:
    policy = _policy(rate_per_second=10, recovery_step=2, recovery_interval_seconds=1)
    half = NOW + MICROS // 2
    assert policy.recovered(5, NOW, half).stepped is False
    stepped = policy.recovered(5, NOW, NOW + 2 * MICROS + 1)
    assert (stepped.rate, stepped.stepped_at, stepped.stepped) == (9, NOW + 2 * MICROS, True)
    assert policy.recovered(5, NOW, NOW + 60 * MICROS).rate == 10
    assert policy.recovered(None, None, NOW).rate == 10  # never slowed: the ceiling


def test_one_whole_quiet_interval_is_one_step_and_less_is_none() -> None:
    policy = _policy(rate_per_second=10, recovery_step=2, recovery_interval_seconds=1)
    assert policy.recovered(5, NOW, NOW + MICROS) == Recovery(7, NOW + MICROS, True)
    assert policy.recovered(5, NOW, NOW + MICROS - 1) == Recovery(5, NOW, False)
    assert policy.recovered(5, None, NOW) == Recovery(5, NOW, False)  # no step time yet: now


def test_at_the_ceiling_the_rate_stays_and_takes_no_step() -> None:
    policy = _policy(rate_per_second=10, recovery_step=2, recovery_interval_seconds=1)
    later = NOW + 5 * MICROS
    assert policy.recovered(10, NOW, later) == Recovery(10, later, False)
    assert policy.recovered(None, None, later) == Recovery(10, later, False)
    # A rate stored above a lowered ceiling is rewritten to it, as the acquire script does.
    assert policy.recovered(40, NOW, later) == Recovery(10, later, True)


def test_the_message_limit_slows_down_with_the_request_rate() -> None:
    policy = _policy(rate_per_second=10, messages_per_second=1000)
    assert policy.message_rate(5) == 500
    assert _policy().message_rate(5) is None


def test_an_emptied_bucket_makes_the_next_request_wait_one_interval() -> None:
    tat = drained_tat(None, NOW, rate=5, burst=4)
    assert gcra_slot(tat, NOW, 1, rate=5, burst=4).delay == MICROS // 5
    far = NOW + 10 * MICROS
    assert drained_tat(far, NOW, rate=5, burst=4) == far  # reservations already made stay


def test_limits_come_from_nested_environment_variables(monkeypatch) -> None:
    monkeypatch.setenv("BULKSMS_SENS__LIMITS__RATE_PER_SECOND", "50")
    monkeypatch.setenv("BULKSMS_SENS__LIMITS__MAX_IN_FLIGHT", "3")
    monkeypatch.setenv("BULKSMS_SENS__LIMITS__MESSAGES_PER_SECOND", "500")
    limits = Settings().sens.limits
    assert (limits.rate_per_second, limits.max_in_flight, limits.messages_per_second) == (
        50,
        3,
        500,
    )
    assert (limits.slow_down_factor, limits.burst, limits.max_wait_seconds) == (0.5, 10, 5.0)


def test_settings_become_microseconds() -> None:
    policy = _policy(max_wait_seconds=2.5, in_flight_lease_seconds=30, max_in_flight=None)
    assert (policy.max_wait, policy.lease, policy.max_in_flight) == (2_500_000, 30 * MICROS, None)


def test_the_tolerance_keeps_any_100_ms_to_the_burst() -> None:
    assert request_tolerance(10, rate=50) == 5  # 5 at once + 5 more at 20 ms = 10 in 100 ms
    assert request_tolerance(3, rate=100) == 1  # the steady rate alone fills 100 ms: no extra
    tat, sends = None, []
    for _ in range(40):  # every request asked for at the same instant
        slot = gcra_slot(tat, NOW, 1, 50, request_tolerance(10, 50))
        tat = slot.tat
        sends.append(NOW + slot.delay)
    for start in sends:
        assert sum(start <= t < start + MICROS // 10 for t in sends) <= 10
