"""The list query's rules (seed 003): one of requestId / request window / complete window."""

from collections.abc import Mapping
from dataclasses import dataclass

from simulator.sens.times import QUERY_FORMAT_TEXT, parse_query_time

DAY = 86400.0
REQUEST_SPAN = 30 * DAY
COMPLETE_SPAN = 1 * DAY
HISTORY = 90 * DAY
FILTERS = ("messageId", "type", "contentType", "countryCode", "status", "from", "to", "statusName")


class QueryError(ValueError):
    """A list query the window rules refuse (the 400 errorMessage)."""


@dataclass(frozen=True, slots=True)
class Window:
    """Inclusive [start, end] in epoch seconds, at one-second resolution."""

    start: float
    end: float

    def holds(self, moment: float) -> bool:
        """Whether `moment` (truncated to the second) falls in the window."""
        return self.start <= int(moment) <= self.end


@dataclass(frozen=True, slots=True)
class ListQuery:
    """A valid list query."""

    request_id: str | None
    request_window: Window | None
    complete_window: Window | None
    filters: dict[str, str]
    page_index: int
    page_size: int


def _time(params: Mapping[str, str], key: str) -> float:
    try:
        return parse_query_time(params[key])
    except ValueError:
        raise QueryError(f"{key} {params[key]!r} is not {QUERY_FORMAT_TEXT}") from None


def _window(params: Mapping[str, str], prefix: str, max_span: float, now: float) -> Window | None:
    start_key, end_key = f"{prefix}StartTime", f"{prefix}EndTime"
    if start_key not in params and end_key not in params:
        return None
    for given, other in ((start_key, end_key), (end_key, start_key)):
        if other not in params:
            raise QueryError(f"{given} is given without {other}")
    start, end = _time(params, start_key), _time(params, end_key)
    if end < start:
        raise QueryError(f"{end_key} is before {start_key}")
    if end - start > max_span:
        span = "30 days" if max_span == REQUEST_SPAN else "24 hours"
        raise QueryError(f"{start_key} to {end_key} spans more than {span}")
    if start < now - HISTORY:
        raise QueryError(f"{start_key} is more than 90 days ago; history is kept 90 days")
    return Window(start, end)


def _integer(params: Mapping[str, str], key: str, default: int, low: int, high: int) -> int:
    raw = params.get(key)
    if raw is None or raw == "":
        return default
    if not raw.lstrip("-").isdigit() or not low <= int(raw) <= high:
        raise QueryError(f"{key} {raw!r} must be an integer from {low} to {high}")
    return int(raw)


def parse_list_query(params: Mapping[str, str], now: float) -> ListQuery:
    """The valid query in `params`; QueryError names the broken rule."""
    request_id = params.get("requestId") or None
    request_window = _window(params, "request", REQUEST_SPAN, now)
    complete_window = _window(params, "complete", COMPLETE_SPAN, now)
    if request_window and complete_window:
        raise QueryError("request and complete time windows cannot be used together")
    if not (request_id or request_window or complete_window):
        raise QueryError(
            "one of requestId, requestStartTime+requestEndTime"
            " or completeStartTime+completeEndTime is required"
        )
    size_max = 1000 if request_id else 100
    page_size = _integer(params, "pageSize", 1000 if request_id else 20, 1, size_max)
    page_index = _integer(params, "pageIndex", 0, 0, 10**9)
    filters = {key: params[key] for key in FILTERS if params.get(key)}
    return ListQuery(request_id, request_window, complete_window, filters, page_index, page_size)
