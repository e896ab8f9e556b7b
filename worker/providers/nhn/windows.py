"""NHN query windows (API v3.0 guide), valid by construction, in Korean local time."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from worker.domain import spans

Kind = Literal["request", "update"]

SEOUL = ZoneInfo("Asia/Seoul")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
# "List Delivery": start/endRequestDate within one month (-4000 beyond); 28 days is a
# month by any reading. "Search Messages based on result update": limited to one day.
MAX_SPAN: dict[Kind, timedelta] = {"request": timedelta(days=28), "update": timedelta(days=1)}
# PROVIDERS.md: history is kept 180 days; a query built now is sent a little later.
HISTORY = timedelta(days=180)
HISTORY_MARGIN = timedelta(minutes=1)
# pageSize is at most 1,000 on every list endpoint.
MAX_PAGE_SIZE = 1000
_PARAMS: dict[Kind, tuple[str, str]] = {
    "request": ("startRequestDate", "endRequestDate"),
    "update": ("startUpdateDate", "endUpdateDate"),
}


@dataclass(frozen=True, slots=True)
class Window:
    """One inclusive whole-second window of a kind NHN takes."""

    kind: Kind
    start: datetime
    end: datetime

    def params(self) -> dict[str, str]:
        """The query parameters, in yyyy-MM-dd HH:mm:ss Seoul time."""
        first, last = _PARAMS[self.kind]
        return {first: format_time(self.start), last: format_time(self.end)}


def format_time(moment: datetime) -> str:
    """An aware datetime as NHN queries take it."""
    return moment.astimezone(SEOUL).strftime(TIME_FORMAT)


def windows(kind: Kind, start: datetime, end: datetime, now: datetime) -> list[Window]:
    """Windows of `kind` covering [start, end), clipped to the 180-day history and to now."""
    first, stop = spans.clipped(start, end, now, HISTORY, HISTORY_MARGIN)
    return [Window(kind, low, high) for low, high in spans.cover(first, stop, MAX_SPAN[kind])]
