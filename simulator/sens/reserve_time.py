"""A send's reserveTime/reserveTimeZone (seed 003, "Send message"): parsed, not yet lead-checked."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from worker.domain.reservations import DEFAULT_ZONE, MIN_LEAD, RESERVE_FORMAT, RESERVE_FORMAT_TEXT

_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")
MIN_LEAD_SECONDS = MIN_LEAD.total_seconds()


@dataclass(frozen=True, slots=True)
class ReserveTime:
    """When a reserved request goes out: as given (`text` in `zone`) and as epoch seconds."""

    text: str
    zone: str
    at: float


def _zone(data: dict[str, Any]) -> ZoneInfo:
    name = data.get("reserveTimeZone")
    name = DEFAULT_ZONE if name is None else name
    try:
        if not isinstance(name, str):
            raise TypeError
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(
            f"reserveTimeZone {name!r} is not a known time zone"
            " (a TZ database name, e.g. Asia/Seoul)"
        ) from None


def parse_reserve(data: dict[str, Any]) -> ReserveTime | None:
    """The reservation in a send body; None when it has none; ValueError when malformed."""
    raw = data.get("reserveTime")
    if raw is None:
        if data.get("reserveTimeZone") is not None:
            raise ValueError("reserveTimeZone is given without reserveTime")
        return None
    zone = _zone(data)
    try:
        if not isinstance(raw, str) or not _SHAPE.fullmatch(raw):
            raise ValueError
        moment = datetime.strptime(raw, RESERVE_FORMAT).replace(tzinfo=zone)
    except ValueError:
        raise ValueError(f"reserveTime {raw!r} is not {RESERVE_FORMAT_TEXT}") from None
    return ReserveTime(raw, zone.key, moment.timestamp())


def lead_error(reserve: ReserveTime, now: float) -> str | None:
    """Why `reserve` is too soon at `now` (PROVIDERS.md: at least 10 minutes ahead), or None."""
    if reserve.at - now >= MIN_LEAD_SECONDS:
        return None
    shown = datetime.fromtimestamp(now, ZoneInfo(reserve.zone)).strftime("%Y-%m-%d %H:%M:%S")
    return (
        f"reserveTime {reserve.text!r} ({reserve.zone}) must be at least"
        f" {int(MIN_LEAD_SECONDS // 60)} minutes after now ({shown} {reserve.zone})"
    )
