"""Selecting, filtering and paging the messages a list or message-results query matches."""

from collections.abc import Callable, Iterator
from typing import Any

from simulator.nhn import outcomes
from simulator.nhn.lifecycle import UPDATE_LAG, State, state, update_at
from simulator.nhn.queries import ListQuery, Paging, UpdateQuery, Window
from simulator.nhn.recipients import KOREA
from simulator.nhn.store import Message, NhnRequest, NhnStore
from simulator.nhn.views import list_item, update_item
from worker.domain.messages import MessageType

Filter = Callable[[Message, State, str], bool]


def _result_code(message: Message, current: State, wanted: str) -> bool:
    """resultCode takes the query codes MTR1 (success) / MTR2 (failed), or a reception code."""
    if wanted == "MTR1":
        return current.code == outcomes.SUCCESS
    if wanted == "MTR2":
        return current.code not in (None, outcomes.SUCCESS)
    return current.code == wanted


def _region(message: Message, current: State, wanted: str) -> bool:
    return ("DOMESTIC" if message.country == KOREA else "INTERNATIONAL") == wanted.upper()


FILTERS: dict[str, Filter] = {
    "sendNo": lambda m, s, w: m.request.send_no == w,
    "recipientNo": lambda m, s, w: m.number == w,
    "msgStatus": lambda m, s, w: s.msg_status == w,
    "resultCode": _result_code,
    "senderGroupingKey": lambda m, s, w: m.request.sender_grouping_key == w,
    "recipientGroupingKey": lambda m, s, w: m.grouping_key == w,
    "countryCode": lambda m, s, w: m.country == w,
    "receiverRegion": _region,
}


def _span(window: Window) -> tuple[float, float]:
    return window.start, window.end + 1


def candidates(store: NhnStore, query: ListQuery, long: bool) -> list[NhnRequest]:
    """Requests of the endpoint's kind (short, or long) that may match, in acceptance order."""
    if query.request_id:
        found = store.request(query.request_id)
        requests = [] if found is None else [found]
    elif query.created is not None:
        requests = store.created_between(*_span(query.created))
    else:
        assert query.sent is not None  # parse_list_query guarantees one of the three
        requests = store.sent_between(*_span(query.sent))
    return [r for r in requests if (r.kind is not MessageType.SMS) == long]


def _in_windows(query: ListQuery, message: Message, current: State) -> bool:
    request = message.request
    if query.sent is not None and not query.sent.holds(request.send_at):
        return False
    if query.created is not None and not query.created.holds(request.created_at):
        return False
    if query.results is None:
        return True
    return current.result_at is not None and query.results.holds(current.result_at)


def _passes(query: ListQuery, message: Message, current: State) -> bool:
    if not _in_windows(query, message, current):
        return False
    return all(FILTERS[key](message, current, wanted) for key, wanted in query.filters.items())


def matching(query: ListQuery, requests: list[NhnRequest], now: float) -> Iterator[Message]:
    """Stored messages that pass the windows and filters, in request and recipientSeq order."""
    wanted_number = query.filters.get("recipientNo")
    for request in requests:
        for index in range(request.size):
            if wanted_number is not None and request.numbers[index] != wanted_number:
                continue
            message = request.message(index)
            if _passes(query, message, state(message, now)):
                yield message


def paged(
    paging: Paging, found: Iterator[Message], render: Callable[[Message], Any]
) -> dict[str, Any]:
    """Count every match, render only the page's."""
    first = (paging.num - 1) * paging.size
    page, total = [], 0
    for message in found:
        if first <= total < first + paging.size:
            page.append(render(message))
        total += 1
    return paging.body(total, page)


def list_page(store: NhnStore, query: ListQuery, long: bool, now: float) -> dict[str, Any]:
    """GET /sender/sms|mms body."""
    found = matching(query, candidates(store, query, long), now)
    return paged(query.paging, found, lambda m: list_item(m, state(m, now)))


def _updated(store: NhnStore, query: UpdateQuery, now: float) -> Iterator[Message]:
    """Completed messages whose updateDate is in the window (and not after `now`)."""
    # A message completes 0.5x-1.5x its delay after its send time; updateDate comes later.
    start = query.window.start - 1.5 * store.max_delay - UPDATE_LAG - 2
    for request in store.sent_between(start, query.window.end + 1):
        if query.message_type not in (None, request.kind.value):
            continue
        for index in range(request.size):
            message = request.message(index)
            current = state(message, now)
            if current.result_at is None:
                continue
            updated = update_at(message, current.result_at)
            if updated <= now and query.window.holds(updated):
                yield message


def update_page(store: NhnStore, query: UpdateQuery, now: float) -> dict[str, Any]:
    """GET /message-results body.

    The guide's table names the list body.data.resultUpdateList[], its example answers
    body.data as the list itself: the simulator answers the example's form.
    """
    found = _updated(store, query, now)
    return paged(query.paging, found, lambda m: update_item(m, state(m, now)))
