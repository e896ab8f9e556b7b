"""Back-off delays: the ladder's step, spread by jitter on both sides."""

from datetime import timedelta

from worker.services.backoff import delay


def test_jitter_spreads_the_waits_on_both_sides_of_the_step() -> None:
    # 200 draws: all on one side of the step would happen once in 2**199 runs.
    waits = [delay([100.0, 1000.0], 1, 0.2) for _ in range(200)]
    assert all(timedelta(seconds=80) <= wait <= timedelta(seconds=120) for wait in waits)
    assert min(waits) < timedelta(seconds=100) < max(waits)


def test_the_last_step_repeats_and_no_wait_is_negative() -> None:
    assert delay([10.0, 60.0], 5, 0) == timedelta(seconds=60)
    assert delay([10.0, 60.0], 0, 0) == timedelta(seconds=10)
    assert delay([0.0], 1, 0.5) == timedelta(0)
