"""The quiet hours of advertising: no ad goes out between 21:00 and 08:00 Korea time
(Information and Communications Network Act, Art. 50; PROVIDERS.md), unless consented to."""

from datetime import UTC, datetime, time, timedelta

from worker.domain.seoul import SEOUL


def quiet_until(now: datetime, start: time, end: time) -> datetime | None:
    """When the quiet hours holding `now` end (UTC), or None when `now` is outside them.

    `start`/`end` are Korea wall-clock times; start > end spans midnight (21:00 to 08:00).
    """
    local = now.astimezone(SEOUL)
    clock = local.time()
    inside = (start <= clock or clock < end) if start > end else (start <= clock < end)
    if not inside:
        return None
    ends = datetime.combine(local.date(), end, tzinfo=SEOUL)
    if ends <= local:
        ends += timedelta(days=1)
    return ends.astimezone(UTC)


def in_quiet_hours(moment: datetime, start: time, end: time) -> bool:
    """True when `moment` falls in the quiet hours."""
    return quiet_until(moment, start, end) is not None
