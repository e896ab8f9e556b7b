"""The gate without Redis: what it asks of a task the limiter refuses, and what it logs."""

import logging
import random

import pytest

from config.provider_settings import ProviderLimits
from worker.ratelimit import gate as gate_module
from worker.ratelimit.gate import Gate, MustWait
from worker.ratelimit.limiter import Grant, Verdict


class _Answers:
    """A limiter that answers every acquisition with the same grant."""

    def __init__(self, grant: Grant) -> None:
        self.grant = grant

    def acquire(self, *_: object) -> Grant:
        return self.grant

    def release(self, *_: object) -> None:
        pass


def _gate(verdict: Verdict, delay: float = 0.0, rate: float = 10.0, stepped: bool = False):
    grant = Grant(verdict, delay, rate, 0, stepped)
    return Gate("sens", ProviderLimits(), _Answers(grant), sleep=lambda _: None)


def test_a_full_in_flight_cap_asks_to_come_back_in_half_to_one_and_a_half_seconds(
    monkeypatch,
) -> None:
    monkeypatch.setattr(gate_module, "random", random.Random(7))
    gate, waits = _gate(Verdict.BUSY), []
    for _ in range(200):
        with pytest.raises(MustWait) as refused, gate.admitted(1):
            pass
        assert refused.value.reason == "in-flight cap full"
        waits.append(refused.value.seconds)
    assert 0.5 <= min(waits) < 0.55
    assert 1.45 < max(waits) <= 1.5


def test_a_wait_too_long_to_sleep_names_the_effective_rate() -> None:
    with pytest.raises(MustWait) as refused, _gate(Verdict.TOO_LONG, 2.5, 0.5).admitted(1):
        pass
    assert (refused.value.seconds, refused.value.reason) == (2.5, "rate 0.5/s")
    assert str(refused.value) == "wait 2.50 s: rate 0.5/s"


def test_a_recovery_step_is_logged_with_the_new_rate(caplog) -> None:
    caplog.set_level(logging.INFO, logger="worker.ratelimit")
    with _gate(Verdict.RESERVED, rate=7.0, stepped=True).admitted(1):
        pass
    with _gate(Verdict.RESERVED, rate=7.0).admitted(1):
        pass
    assert [r.getMessage() for r in caplog.records] == [
        "provider=sens effective_rate=7.0/s reason=recovery"
    ]
