"""SENS list queries (seed 003, "Search for message delivery request"), valid by construction."""

# Convention: a ListQuery's `start` and `end` are whole seconds and both *inclusive*, as the
# API takes them (`yyyy-MM-dd HH:mm:ss`; the simulator's Window holds [start, end] too).
# The builders take a half-open span [start, end) and cover exactly its seconds: the first
# window starts at `start` floored to the second, each next one starts 1 s after the
# previous `end`, and the last ends 1 s before `end` rounded up to the second. No second
# is skipped or listed twice.

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from worker.domain import spans

Kind = Literal["request_id", "request_time", "complete_time"]

# The simulator and the client assume SENS reads query times as Korean local time.
SEOUL = ZoneInfo("Asia/Seoul")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
# Seed 003: request window ≤ 30 days, complete window ≤ 24 hours, history 90 days.
MAX_SPAN: dict[Kind, timedelta] = {
    "request_time": timedelta(days=30),
    "complete_time": timedelta(hours=24),
}
HISTORY = timedelta(days=90)
# A query built now is sent a little later: keep its start this far inside the history.
HISTORY_MARGIN = timedelta(minutes=1)
# Seed 003: pageSize max 100; "When viewing including requestId", up to 1000.
MAX_PAGE_SIZE: dict[Kind, int] = {"request_id": 1000, "request_time": 100, "complete_time": 100}
_PARAM_PREFIX = {"request_time": "request", "complete_time": "complete"}


class WindowError(ValueError):
    """A list query that seed 003's rules refuse."""


def _check_aware(name: str, moment: datetime) -> None:
    try:
        spans.check_aware(name, moment)
    except spans.SpanError as exc:
        raise WindowError(str(exc)) from None


def _check_page_size(kind: Kind, page_size: int) -> None:
    top = MAX_PAGE_SIZE[kind]
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= top:
        raise WindowError(f"pageSize {page_size!r} must be an integer from 1 to {top} for {kind}")


@dataclass(frozen=True, slots=True)
class ListQuery:
    """One valid SENS list query: by requestId, or one inclusive whole-second time window.

    The 90-day history rule depends on when the query is sent, so it cannot be checked
    here; the builders clip to it (with HISTORY_MARGIN) and `within_history` tells.
    """

    kind: Kind
    request_id: str | None = None
    start: datetime | None = None  # aware, whole seconds, inclusive
    end: datetime | None = None  # aware, whole seconds, inclusive
    page_size: int = 100

    def __post_init__(self) -> None:
        if self.kind not in MAX_PAGE_SIZE:
            raise WindowError(f"unknown list query kind {self.kind!r}")
        _check_page_size(self.kind, self.page_size)
        if self.kind == "request_id":
            self._check_by_id()
        else:
            self._check_window()

    def _check_by_id(self) -> None:
        # Seed 003: requestId and a time window are alternatives, never combined here.
        if not isinstance(self.request_id, str) or not self.request_id:
            raise WindowError("a request_id query needs a non-empty request_id")
        if self.start is not None or self.end is not None:
            raise WindowError("a request_id query takes no time window")

    def _check_window(self) -> None:
        if self.request_id is not None:
            raise WindowError(f"a {self.kind} query takes no request_id")
        if self.start is None or self.end is None:
            raise WindowError(f"a {self.kind} query needs both start and end")
        for name, moment in (("start", self.start), ("end", self.end)):
            _check_aware(name, moment)
            if moment.microsecond:
                raise WindowError(f"{name} must be a whole second (the API takes HH:mm:ss)")
        # In UTC: aware datetimes sharing a tzinfo subtract as wall clocks (DST would lie).
        span = self.end.astimezone(UTC) - self.start.astimezone(UTC)
        if span < timedelta(0):
            raise WindowError("end is before start")
        if span > MAX_SPAN[self.kind]:
            raise WindowError(f"a {self.kind} window spans at most {MAX_SPAN[self.kind]}")

    def within_history(self, now: datetime) -> bool:
        """Whether SENS still keeps the window's start at `now` (always True by requestId)."""
        _check_aware("now", now)
        return self.start is None or self.start.astimezone(UTC) >= now.astimezone(UTC) - HISTORY

    def params(self) -> dict[str, str | int]:
        """The SENS query parameters (without pageIndex), times in Seoul local time."""
        if self.kind == "request_id":
            assert self.request_id is not None  # __post_init__ guarantees it
            return {"requestId": self.request_id, "pageSize": self.page_size}
        assert self.start is not None and self.end is not None
        prefix = _PARAM_PREFIX[self.kind]
        return {
            f"{prefix}StartTime": format_time(self.start),
            f"{prefix}EndTime": format_time(self.end),
            "pageSize": self.page_size,
        }


def format_time(moment: datetime) -> str:
    """An aware datetime as SENS list queries take it: yyyy-MM-dd HH:mm:ss in Seoul."""
    return moment.astimezone(SEOUL).strftime(TIME_FORMAT)


def by_request_id(request_id: str, page_size: int = 1000) -> ListQuery:
    """Every message of one request (seed 003: pageSize up to 1000 with requestId)."""
    return ListQuery("request_id", request_id=request_id, page_size=page_size)


def complete_windows(
    start: datetime, end: datetime, now: datetime, page_size: int = 100
) -> list[ListQuery]:
    """Complete-time queries (≤ 24 h each) covering [start, end) clipped to history and now."""
    return _windows("complete_time", start, end, now, page_size)


def request_windows(
    start: datetime, end: datetime, now: datetime, page_size: int = 100
) -> list[ListQuery]:
    """Request-time queries (≤ 30 days each) covering [start, end) clipped to history and now."""
    return _windows("request_time", start, end, now, page_size)


def clipped_span(start: datetime, end: datetime, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) clipped to the history (plus margin) and to now, in whole seconds [first, stop).

    An empty clipped span gives first == stop.
    """
    try:
        return spans.clipped(start, end, now, HISTORY, HISTORY_MARGIN)
    except spans.SpanError as exc:
        raise WindowError(str(exc)) from None


def _windows(
    kind: Kind, start: datetime, end: datetime, now: datetime, page_size: int
) -> list[ListQuery]:
    _check_page_size(kind, page_size)
    first, stop = clipped_span(start, end, now)
    return [
        ListQuery(kind, start=low, end=high, page_size=page_size)
        for low, high in spans.cover(first, stop, MAX_SPAN[kind])
    ]
