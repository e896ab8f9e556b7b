"""Times given and shown on the command line: Korean local time unless an offset is written."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# Campaigns are sent to Korean handsets; people write their local wall-clock time.
DEFAULT_ZONE = ZoneInfo("Asia/Seoul")


def parse_time(text: str) -> datetime:
    """`2026-11-24 09:00` (Asia/Seoul) or ISO 8601 with an offset; ValueError names the form."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{text!r} is not a time: write YYYY-MM-DD HH:MM (Korea time) or ISO 8601"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=DEFAULT_ZONE)


def future_time(text: str, option: str, now: datetime | None = None) -> datetime:
    """parse_time for a time that must be ahead (a send time); ValueError names the option."""
    moment = parse_time(text)
    now = now or datetime.now(UTC)
    if moment <= now:
        raise ValueError(
            f"{option} {korea_label(moment, now)} is in the past (it is {korea_label(now)}): "
            f"give a later time, or leave out {option} to send now"
        )
    return moment


def korea_time(moment: datetime) -> datetime:
    """`moment` on Korean wall-clock time, with its +09:00 offset."""
    return moment.astimezone(DEFAULT_ZONE)


def korea_label(moment: datetime, now: datetime | None = None) -> str:
    """`12-24 09:00 KST`, with the year when it is not this year's."""
    local = korea_time(moment)
    this_year = korea_time(now or datetime.now(UTC)).year
    return local.strftime("%m-%d %H:%M KST" if local.year == this_year else "%Y-%m-%d %H:%M KST")


def korea_clock(moment: datetime, now: datetime | None = None) -> str:
    """`10:42 KST` on the day it is in Korea, else korea_label's `12-24 09:00 KST`."""
    today = korea_time(now or datetime.now(UTC)).date()
    if korea_time(moment).date() == today:
        return korea_time(moment).strftime("%H:%M KST")
    return korea_label(moment, now)
