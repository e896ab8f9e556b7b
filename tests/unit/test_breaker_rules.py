"""The breaker's rules without Redis: every transition, the window's bounds, probes, settings."""

import pytest

from config.settings import BreakerSettings, Settings
from tests.envvars import settings_env
from worker.health.rules import (
    BreakerPolicy,
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
    classify,
    next_state,
    settle,
)
from worker.providers.errors import (
    AuthFailed,
    Rejected,
    RetryLater,
    SlowDown,
    TransportError,
)

T0 = 1_700_000_000.0
POLICY = BreakerPolicy.from_settings(
    BreakerSettings(errors_to_open=3, window_seconds=60, open_seconds=30, probe_lease_seconds=20)
)
SERVER = Failure(FailureKind.SERVER, "HTTP 503")
AUTH = Failure(FailureKind.AUTH, "HTTP 401")
CLOSED, OPEN, HALF_OPEN = BreakerState.CLOSED, BreakerState.OPEN, BreakerState.HALF_OPEN


def _run(events: list[tuple[float, Event]], health: Health | None = None) -> Health:
    health = health or Health("sens")
    for at, event in events:
        health = next_state(health, event, POLICY, at)
    return health


def _opened_at(at: float) -> Health:
    return _run([(at, AUTH)])


def _half_open_at(at: float) -> Health:
    """Half-open since `at`, no probe in flight yet."""
    return settle(_opened_at(at - POLICY.open_seconds), POLICY, at)


def test_a_fresh_breaker_is_closed_and_allows() -> None:
    health = Health("sens")
    assert (health.state, health.reason, health.errors, health.probe_in_flight) == (
        CLOSED,
        "",
        0,
        False,
    )
    assert allows(health, T0, POLICY)


def test_errors_below_the_threshold_leave_it_closed_and_counted() -> None:
    health = _run([(T0, SERVER), (T0 + 1, SERVER)])
    assert (health.state, health.errors) == (CLOSED, 2)
    assert allows(health, T0 + 2, POLICY)


@pytest.mark.parametrize("kind", [FailureKind.SERVER, FailureKind.TIMEOUT, FailureKind.NETWORK])
def test_the_threshold_of_errors_in_the_window_opens_it(kind: FailureKind) -> None:
    failure = Failure(kind, "detail")
    health = _run([(T0, failure), (T0 + 1, failure), (T0 + 2, failure)])
    assert (health.state, health.since, health.errors) == (OPEN, T0 + 2, 0)
    assert health.reason == f"3 errors in 60 s (last: {kind}, detail)"
    assert not allows(health, T0 + 2, POLICY)


def test_the_last_error_just_inside_the_window_still_opens_it() -> None:
    last = T0 + POLICY.window_seconds - 0.001
    assert _run([(T0, SERVER), (T0 + 1, SERVER), (last, SERVER)]).state is OPEN


def test_an_error_exactly_window_seconds_old_has_left_it() -> None:
    last = T0 + POLICY.window_seconds
    health = _run([(T0, SERVER), (T0 + 1, SERVER), (last, SERVER)])
    assert (health.state, health.error_times) == (CLOSED, (T0 + 1, last))


def test_authentication_failure_opens_it_at_once() -> None:
    health = _run([(T0, AUTH)])
    assert (health.state, health.since) == (OPEN, T0)
    assert health.reason == "credentials refused (HTTP 401)"


def test_429s_never_count() -> None:
    slow_down = Failure(FailureKind.RATE_LIMITED, "HTTP 429")
    health = _run([(T0 + i, slow_down) for i in range(50)])
    assert (health.state, health.errors) == (CLOSED, 0)


def test_a_429_in_half_open_keeps_the_probe_in_flight() -> None:
    claimed = next_state(_half_open_at(T0), ProbeClaimed(), POLICY, T0)
    after = next_state(claimed, Failure(FailureKind.RATE_LIMITED, "HTTP 429"), POLICY, T0 + 1)
    assert (after.state, after.probe_in_flight) == (HALF_OPEN, True)


def test_while_open_results_change_nothing() -> None:
    opened = _opened_at(T0)
    for event in (SERVER, AUTH, Success(), Slow(0.9, 1000), ProbeClaimed()):
        assert next_state(opened, event, POLICY, T0 + 10) == opened


def test_it_turns_half_open_when_the_cool_down_ends_not_before() -> None:
    opened = _opened_at(T0)
    end = T0 + POLICY.open_seconds
    assert not allows(opened, end - 0.001, POLICY)
    assert allows(opened, end, POLICY)
    settled = next_state(opened, ProbeReleased(), POLICY, end)
    assert (settled.state, settled.since, settled.reason) == (HALF_OPEN, end, opened.reason)


def test_half_open_lets_exactly_one_probe_go() -> None:
    claimed = next_state(_half_open_at(T0), ProbeClaimed(), POLICY, T0)
    assert (claimed.probe_in_flight, claimed.probe_until) == (True, T0 + POLICY.probe_lease_seconds)
    assert not allows(claimed, T0 + 1, POLICY)
    assert next_state(claimed, ProbeClaimed(), POLICY, T0 + 1) == claimed


def test_a_probe_whose_lease_lapsed_frees_itself() -> None:
    claimed = next_state(_half_open_at(T0), ProbeClaimed(), POLICY, T0)
    lapse = T0 + POLICY.probe_lease_seconds
    assert not allows(claimed, lapse - 0.001, POLICY)
    assert allows(claimed, lapse, POLICY)
    again = next_state(claimed, ProbeClaimed(), POLICY, lapse)
    assert again.probe_until == lapse + POLICY.probe_lease_seconds


def test_a_released_probe_lets_another_caller_probe() -> None:
    claimed = next_state(_half_open_at(T0), ProbeClaimed(), POLICY, T0)
    released = next_state(claimed, ProbeReleased(), POLICY, T0 + 1)
    assert (released.state, released.probe_in_flight) == (HALF_OPEN, False)
    assert allows(released, T0 + 1, POLICY)


def test_a_success_in_half_open_closes_it_and_resets_errors() -> None:
    claimed = next_state(_half_open_at(T0), ProbeClaimed(), POLICY, T0)
    closed = next_state(claimed, Success(), POLICY, T0 + 2)
    assert closed == Health("sens", CLOSED, "", T0 + 2)
    assert allows(closed, T0 + 2, POLICY)


def test_a_success_after_the_cool_down_closes_it_even_unclaimed() -> None:
    closed = next_state(_opened_at(T0), Success(), POLICY, T0 + POLICY.open_seconds)
    assert (closed.state, closed.since) == (CLOSED, T0 + POLICY.open_seconds)


@pytest.mark.parametrize(
    ("failure", "reason"),
    [(SERVER, "probe failed (server, HTTP 503)"), (AUTH, "credentials refused (HTTP 401)")],
)
def test_a_failure_in_half_open_opens_it_again_from_now(failure: Failure, reason: str) -> None:
    claimed = next_state(_half_open_at(T0), ProbeClaimed(), POLICY, T0)
    reopened = next_state(claimed, failure, POLICY, T0 + 5)
    assert (reopened.state, reopened.since, reopened.reason) == (OPEN, T0 + 5, reason)
    assert not reopened.probe_in_flight
    assert not allows(reopened, T0 + 5 + POLICY.open_seconds - 0.001, POLICY)


def test_a_success_while_closed_changes_nothing() -> None:
    health = _run([(T0, SERVER), (T0 + 1, SERVER)])
    assert next_state(health, Success(), POLICY, T0 + 2) == health


def test_a_closed_breaker_has_no_probe_to_claim_or_release() -> None:
    health = Health("sens")
    assert next_state(health, ProbeClaimed(), POLICY, T0) == health
    assert next_state(health, ProbeReleased(), POLICY, T0) == health


SLOW_POLICY = BreakerPolicy.from_settings(BreakerSettings())  # 15 %, at least 100 messages


@pytest.mark.parametrize(
    ("share", "awaited", "opens"),
    [
        (0.14, 1000, False),  # below the share
        (0.15, 1000, False),  # the share itself: only more than it opens
        (0.16, 1000, True),
        (0.16, 100, True),  # the minimum sample itself
        (1.0, 99, False),  # under the minimum sample
    ],
)
def test_slow_results_open_it_above_the_share_over_enough_messages(
    share: float, awaited: int, opens: bool
) -> None:
    health = next_state(Health("sens"), Slow(share, awaited), SLOW_POLICY, T0)
    assert health.state is (OPEN if opens else CLOSED)
    if opens:
        assert (
            health.reason
            == f"{share:.0%} of {awaited} messages without a result 300 s after their send"
        )


def test_slow_results_in_half_open_leave_the_probe_to_decide() -> None:
    half_open = _half_open_at(T0)
    assert next_state(half_open, Slow(0.9, 1000), POLICY, T0) == half_open


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            SlowDown("quota", provider="sens", status=429),
            Failure(FailureKind.RATE_LIMITED, "HTTP 429"),
        ),
        (RetryLater("down", provider="sens", status=503), Failure(FailureKind.SERVER, "HTTP 503")),
        (
            RetryLater("system", provider="nhn", status=200, code="-9999"),
            Failure(FailureKind.SERVER, "HTTP 200, code -9999"),
        ),
        (
            TransportError("read timed out", provider="sens", maybe_sent=True),
            Failure(FailureKind.TIMEOUT, "read timed out"),
        ),
        (
            TransportError("connection refused", provider="sens", maybe_sent=False),
            Failure(FailureKind.NETWORK, "connection refused"),
        ),
        (AuthFailed("keys", provider="sens", status=401), AUTH),
        (Rejected("bad number", provider="sens", status=400), None),
    ],
)
def test_provider_errors_are_classified_by_what_they_say_of_its_health(error, expected) -> None:
    assert classify(error) == expected


def test_the_settings_defaults_and_their_environment_variables() -> None:
    policy = BreakerPolicy.from_settings(Settings().breaker)
    assert policy == BreakerPolicy(20, 60.0, 30.0, 60.0, 300.0, 0.15, 100)
    with settings_env(
        {"BULKSMS_BREAKER__ERRORS_TO_OPEN": "50", "BULKSMS_BREAKER__SLOW_SHARE": "0.2"}
    ):
        breaker = Settings().breaker
    assert (breaker.errors_to_open, breaker.slow_share) == (50, 0.2)
