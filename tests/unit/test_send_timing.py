"""When a batch of a scheduled campaign goes: plainly now, reserved at the provider, or held
until its time when it is too close for the provider's minimum lead (SENS: 10 minutes)."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from worker.services.scheduling import RESERVE_MARGIN, Timing, send_timing

NOW = datetime(2026, 12, 7, 9, 0, 0, 500_000, tzinfo=UTC)
LEAD = timedelta(minutes=10)


def _campaign(at: datetime | None, mode: str = "reserve") -> SimpleNamespace:
    return SimpleNamespace(scheduled_at=at, schedule_mode=mode)


@pytest.mark.parametrize(
    "campaign",
    [_campaign(None), _campaign(NOW), _campaign(NOW - timedelta(seconds=1)),
     _campaign(NOW + timedelta(hours=1), mode="hold")],
    ids=["no-time", "due-now", "past", "held-mode"],
)  # fmt: skip
def test_a_campaign_not_reserved_ahead_goes_now(campaign: SimpleNamespace) -> None:
    assert send_timing(campaign, NOW, LEAD) == Timing()


def test_a_time_just_ahead_waits_for_it_rather_than_going_now() -> None:
    at = NOW + timedelta(microseconds=1)
    assert send_timing(_campaign(at), NOW, LEAD) == Timing(wait_until=at)


def test_the_lead_is_measured_to_the_minute_the_provider_reads() -> None:
    # 09:10:59 is 10:58.5 ahead, but the provider reads 09:10: 9:59.5, short of 10:30.
    start = NOW.replace(second=0, microsecond=0)
    enough = start + LEAD + RESERVE_MARGIN + timedelta(seconds=30)  # 09:11:00
    assert send_timing(_campaign(enough), NOW, LEAD) == Timing(reserve_at=enough)
    read_short = start + LEAD + timedelta(seconds=59)
    assert send_timing(_campaign(read_short), NOW, LEAD) == Timing(wait_until=read_short)


def test_the_lead_and_margin_at_their_boundary_reserve() -> None:
    now = NOW.replace(second=0, microsecond=0)  # on the minute: nothing is rounded away
    boundary = now + LEAD + RESERVE_MARGIN + timedelta(seconds=30)  # 09:11:00
    assert send_timing(_campaign(boundary), now + timedelta(seconds=30), LEAD) == Timing(
        reserve_at=boundary
    )
    late = now + timedelta(seconds=30, microseconds=1)
    assert send_timing(_campaign(boundary), late, LEAD) == Timing(wait_until=boundary)
    # Seconds and microseconds of the time itself never count towards the lead.
    half_short = now + timedelta(seconds=30, microseconds=500_000)
    truncated = boundary + timedelta(microseconds=900_000)
    assert send_timing(_campaign(truncated), half_short, LEAD) == Timing(wait_until=truncated)
