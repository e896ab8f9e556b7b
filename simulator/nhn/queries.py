"""The query rules of the list, message-results and reservation searches (api-guide)."""

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from simulator.core.kst import seoul
from simulator.nhn.results import PARAMETER, NhnError
from simulator.nhn.times import QUERY_TEXT, parse_query_date

T = TypeVar("T")
DAY = 86400.0
HISTORY = 180 * DAY  # PROVIDERS.md: history kept 180 days
UPDATE_SPAN = DAY  # message-results: "limited to one day"
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 15
# Refusals without a code of their own in seed 002 answer -1005 ("Invalid search
# condition"): a message-results window over one day (-4000's message speaks of one month),
# a window older than the 180 days of history, an end before its start.
INVALID_SEARCH = -1005
LIST_FILTERS = (
    "sendNo",
    "recipientNo",
    "msgStatus",
    "resultCode",
    "senderGroupingKey",
    "recipientGroupingKey",
    "countryCode",
    "receiverRegion",
)
RESERVATION_FILTERS = ("sendNo", "recipientNo", "messageStatus", "sendType")


@dataclass(frozen=True, slots=True)
class Window:
    """Inclusive [start, end] in epoch seconds, at one-second resolution."""

    start: float
    end: float

    def holds(self, moment: float) -> bool:
        """Whether `moment` (truncated to the second) falls in the window."""
        return self.start <= int(moment) <= self.end


@dataclass(frozen=True, slots=True)
class Paging:
    """pageNum (1-based) and pageSize."""

    num: int = 1
    size: int = DEFAULT_PAGE_SIZE

    def slice(self, items: Sequence[T]) -> Sequence[T]:
        """The items of this page."""
        start = (self.num - 1) * self.size
        return items[start : start + self.size]

    def body(self, total: int, page: list[object]) -> dict[str, object]:
        """The paged answer body: {pageNum, pageSize, totalCount, data}."""
        return {"pageNum": self.num, "pageSize": self.size, "totalCount": total, "data": page}


@dataclass(frozen=True, slots=True)
class ListQuery:
    """A valid list (or reservation) query."""

    request_id: str | None
    sent: Window | None  # startRequestDate/endRequestDate
    created: Window | None  # startCreateDate/endCreateDate
    results: Window | None  # startResultDate/endResultDate
    filters: dict[str, str]
    paging: Paging


@dataclass(frozen=True, slots=True)
class UpdateQuery:
    """A valid message-results query."""

    window: Window
    message_type: str | None
    paging: Paging


def _integer(params: Mapping[str, str], key: str, default: int, high: int) -> int:
    raw = params.get(key)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= high:
        raise NhnError(PARAMETER, f"{key} {raw!r} must be an integer from 1 to {high}")
    return int(raw)


def parse_paging(params: Mapping[str, str]) -> Paging:
    """pageNum (default 1) and pageSize (default 15, at most 1000)."""
    number = _integer(params, "pageNum", 1, 10**9)
    return Paging(number, _integer(params, "pageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE))


def _date(params: Mapping[str, str], key: str) -> float:
    try:
        return parse_query_date(params[key])
    except ValueError:
        raise NhnError(-2000, f"{key} {params[key]!r} is not {QUERY_TEXT}") from None


def window(params: Mapping[str, str], name: str, missing: int) -> Window | None:
    """start{name}Date/end{name}Date as a Window; None when neither is given.

    One without the other is refused with `missing`; a malformed date with -2000.
    """
    start_key, end_key = f"start{name}Date", f"end{name}Date"
    if not params.get(start_key) and not params.get(end_key):
        return None
    for given, other in ((start_key, end_key), (end_key, start_key)):
        if not params.get(other):
            raise NhnError(missing, f"{given} is given without {other}")
    start, end = _date(params, start_key), _date(params, end_key)
    if end < start:
        raise NhnError(INVALID_SEARCH, f"{end_key} is before {start_key}")
    return Window(start, end)


def month_after(start: float) -> float:
    """The same Seoul wall-clock time one calendar month later (day clamped: Jan 31 → Feb 28)."""
    moment = seoul(start)
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day).timestamp()


def _check_search(found: Window | None, name: str, now: float) -> None:
    if found is None:
        return
    if found.end > month_after(found.start):
        raise NhnError(-4000, f"start{name}Date to end{name}Date spans more than one month")
    if found.start < now - HISTORY:
        raise NhnError(INVALID_SEARCH, f"start{name}Date is older than the 180 days of history")


def parse_list_query(params: Mapping[str, str], now: float) -> ListQuery:
    """GET /sender/sms|mms: requestId, or a request window, or a create window (-2011).

    With both windows the request window is ignored, as the guide says.
    """
    request_id = params.get("requestId") or None
    sent = window(params, "Request", -2011)
    created = window(params, "Create", -2011)
    if not (request_id or sent or created):
        raise NhnError(-2011, "give requestId, startRequestDate+endRequestDate or create dates")
    sent = None if created else sent
    _check_search(sent, "Request", now)
    _check_search(created, "Create", now)
    results = window(params, "Result", INVALID_SEARCH)
    filters = {key: params[key] for key in LIST_FILTERS if params.get(key)}
    return ListQuery(request_id, sent, created, results, filters, parse_paging(params))


def parse_update_query(params: Mapping[str, str], now: float) -> UpdateQuery:
    """GET /message-results: startUpdateDate+endUpdateDate, at most one day apart."""
    found = window(params, "Update", INVALID_SEARCH)
    if found is None:
        raise NhnError(INVALID_SEARCH, "startUpdateDate and endUpdateDate are required")
    if found.end - found.start > UPDATE_SPAN:
        raise NhnError(INVALID_SEARCH, "startUpdateDate to endUpdateDate spans more than one day")
    if found.start < now - HISTORY:
        raise NhnError(INVALID_SEARCH, "startUpdateDate is older than the 180 days of history")
    message_type = params.get("messageType") or None
    if message_type not in (None, "SMS", "LMS", "MMS", "AUTH"):
        raise NhnError(-1006, f"messageType {message_type!r}")
    return UpdateQuery(found, message_type, parse_paging(params))


def parse_reservation_query(params: Mapping[str, str]) -> ListQuery:
    """GET /reservations: every filter optional (the guide marks none required)."""
    sent = window(params, "Request", PARAMETER)
    created = window(params, "Create", PARAMETER)
    filters = {key: params[key] for key in RESERVATION_FILTERS if params.get(key)}
    request_id = params.get("requestId") or None
    return ListQuery(request_id, sent, created, None, filters, parse_paging(params))
