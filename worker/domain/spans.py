"""Time spans cut into provider query windows: whole seconds, inclusive ends, none skipped.

Providers take query times as `yyyy-MM-dd HH:mm:ss` with both ends inclusive. A half-open
span [start, end) is covered exactly: the first window starts at `start` floored to the
second, each next one 1 s after the previous end, the last ends 1 s before `end` rounded up.
"""

from datetime import UTC, datetime, timedelta

SECOND = timedelta(seconds=1)


class SpanError(ValueError):
    """A span or window that cannot be built (naive times, a step below one second)."""


def check_aware(name: str, moment: datetime) -> None:
    """SpanError unless `moment` carries a time zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise SpanError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")


def floor_second(moment: datetime) -> datetime:
    """`moment` without its fraction of a second."""
    return moment.replace(microsecond=0)


def ceil_second(moment: datetime) -> datetime:
    """`moment` rounded up to the next whole second (unchanged when already whole)."""
    return floor_second(moment) + (SECOND if moment.microsecond else timedelta(0))


def clipped(
    start: datetime, end: datetime, now: datetime, history: timedelta, margin: timedelta
) -> tuple[datetime, datetime]:
    """[start, end) clipped to what the provider keeps (plus margin) and to now, as whole
    seconds [first, stop) in UTC; an empty span gives first == stop."""
    for name, moment in (("start", start), ("end", end), ("now", now)):
        check_aware(name, moment)
    start, end, now = (m.astimezone(UTC) for m in (start, end, now))
    earliest = ceil_second(now - history + margin)
    low, high = max(start, earliest), min(end, now)
    if high <= low:
        return low, low
    # A moment t lies in second floor(t); [low, high) touches seconds floor(low)..ceil(high)-1.
    return max(floor_second(low), earliest), ceil_second(high)


def cover(first: datetime, stop: datetime, step: timedelta) -> list[tuple[datetime, datetime]]:
    """Inclusive whole-second windows of at most `step` covering [first, stop)."""
    if step < SECOND:
        raise SpanError(f"a window step of {step} is shorter than one second")
    windows = []
    while first < stop:
        # Each window holds its own last second, so it ends at most step - 1 s after it starts.
        last = min(first + step, stop) - SECOND
        windows.append((first, last))
        first = last + SECOND
    return windows
