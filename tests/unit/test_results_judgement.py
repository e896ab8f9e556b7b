"""What a result does to its recipient: delivered, failed, or re-sent within limits."""

from datetime import UTC, datetime, timedelta

import pytest

from config.settings import ResendSettings
from worker.db.members import BatchRef
from worker.domain.codes import lookup
from worker.domain.statuses import RecipientStatus as R
from worker.services.results import BatchContext, deadline_of, next_state, retry_due

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SETTINGS = ResendSettings(backoff_seconds=[300, 1800, 7200], jitter=0.2, max_attempts=3)


def ctx(attempt: int = 1, deadline: timedelta = timedelta(hours=24)) -> BatchContext:
    return BatchContext("sens", BatchRef(1, 1, "SMS", attempt, 1, 100), NOW + deadline)


@pytest.mark.parametrize("code", ["2003", "2005", "2000", "1001", "2007"])
def test_transient_codes_wait_for_a_resend(code: str) -> None:
    status, due = next_state(lookup("sens", code), ctx(), SETTINGS, NOW)
    assert status is R.RETRY_WAIT
    assert NOW + timedelta(seconds=240) <= due <= NOW + timedelta(seconds=360)


def test_the_backoff_ladder_grows_with_the_attempt() -> None:
    _, second = next_state(lookup("sens", "2003"), ctx(attempt=2), SETTINGS, NOW)
    assert NOW + timedelta(seconds=1440) <= second <= NOW + timedelta(seconds=2160)
    assert retry_due(SETTINGS.model_copy(update={"jitter": 0}), 9, NOW) == NOW + timedelta(
        seconds=7200
    )


def test_no_resend_after_the_last_attempt() -> None:
    assert next_state(lookup("sens", "2003"), ctx(attempt=3), SETTINGS, NOW) == (R.FAILED, None)


def test_no_resend_due_after_the_deadline() -> None:
    late = ctx(deadline=timedelta(minutes=3))  # the 5-minute wait would end past it
    assert next_state(lookup("sens", "2003"), late, SETTINGS, NOW) == (R.FAILED, None)


@pytest.mark.parametrize("code", ["3001", "3003", "3012", "E915", "no-such-code"])
def test_permanent_and_unknown_codes_are_never_resent(code: str) -> None:
    assert next_state(lookup("sens", code), ctx(), SETTINGS, NOW) == (R.FAILED, None)


def test_success_is_delivered() -> None:
    assert next_state(lookup("sens", "0"), ctx(), SETTINGS, NOW) == (R.DELIVERED, None)


def test_deadline_defaults_to_creation_plus_hours() -> None:
    assert deadline_of(NOW, None, 24) == NOW + timedelta(hours=24)
    assert deadline_of(NOW, NOW + timedelta(hours=1), 24) == NOW + timedelta(hours=1)
