"""Spans cut into whole-second query windows: aware times only, steps of a second or more."""

from datetime import UTC, datetime, timedelta, tzinfo

import pytest

from worker.domain.spans import SECOND, SpanError, check_aware, cover

T = datetime(2025, 11, 24, 0, 0, 0, tzinfo=UTC)


class _NoOffset(tzinfo):
    """A time zone that knows no UTC offset: a datetime in it is naive (datetime docs)."""

    def utcoffset(self, dt: datetime | None) -> None:
        return None


def test_a_time_zone_without_an_offset_counts_as_naive() -> None:
    moment = datetime(2025, 11, 24, 9, 0, 0, tzinfo=_NoOffset())
    with pytest.raises(SpanError, match=r"^start must be timezone-aware, got naive 2025-11-24T09"):
        check_aware("start", moment)


def test_a_one_second_step_gives_one_window_per_second() -> None:
    assert cover(T, T + 3 * SECOND, SECOND) == [
        (T, T),
        (T + SECOND, T + SECOND),
        (T + 2 * SECOND, T + 2 * SECOND),
    ]


def test_a_step_below_one_second_is_refused() -> None:
    with pytest.raises(
        SpanError, match=r"^a window step of 0:00:00\.500000 is shorter than one second$"
    ):
        cover(T, T + SECOND, timedelta(milliseconds=500))
