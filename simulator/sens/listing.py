"""Selecting, filtering and paging the messages a list query matches."""

from collections.abc import Iterator
from typing import Any

from simulator.sens.lifecycle import Progress, held, progress
from simulator.sens.store import AcceptedRequest, Store, StoredMessage
from simulator.sens.views import list_item
from simulator.sens.windows import ListQuery

# Filters compared on the rendered item; statusName is matched case-insensitively
# (the doc lists SUCCESS/FAIL for the filter, success/fail in answers).
_CASELESS = ("statusName", "type", "contentType", "status")


def candidates(store: Store, query: ListQuery) -> list[AcceptedRequest] | None:
    """Requests that may match, in acceptance order; None when requestId is unknown."""
    if query.request_id:
        request = store.request(query.request_id)
        return None if request is None else [request]
    if query.request_window:
        window = query.request_window
        return store.accepted_between(window.start, window.end + 1)
    window = query.complete_window
    assert window is not None  # parse_list_query guarantees one of the three
    # A message completes 0.5x-1.5x its request's delay after it starts: on acceptance, or
    # at its reserve time (which may be long after acceptance).
    start, end = window.start - 1.5 * store.max_delay - 1, window.end + 1
    found = store.accepted_between(start, end)
    seen = {id(r) for r in found}
    extra = [r for r in store.reserved_between(start, end) if id(r) not in seen]
    return sorted(found + extra, key=lambda r: r.accepted_at) if extra else found


def _in_windows(query: ListQuery, request: AcceptedRequest, state: Progress) -> bool:
    if query.request_window and not query.request_window.holds(request.accepted_at):
        return False
    if query.complete_window is None:
        return True
    return state.complete_at is not None and query.complete_window.holds(state.complete_at)


def _passes(filters: dict[str, str], item: dict[str, Any]) -> bool:
    for key, wanted in filters.items():
        value = item.get(key)
        if value is None:
            return False
        if key in _CASELESS and str(value).lower() != wanted.lower():
            return False
        if key not in _CASELESS and str(value) != wanted:
            return False
    return True


def matching(
    query: ListQuery, requests: list[AcceptedRequest], now: float
) -> Iterator[dict[str, Any]]:
    """Rendered list items that pass the windows and filters, in stable order."""
    wanted_to = query.filters.get("to")
    for request in requests:
        # Seed 003: while a request is "reserved", its messages are not searched.
        if held(request, now):
            continue
        for index in range(request.size):
            if wanted_to is not None and request.numbers[index] != wanted_to:
                continue
            item = _item(query, request, request.message(index), now)
            if item is not None and _passes(query.filters, item):
                yield item


def _item(
    query: ListQuery, request: AcceptedRequest, message: StoredMessage, now: float
) -> dict[str, Any] | None:
    state = progress(request, message, now)
    return list_item(request, message, state) if _in_windows(query, request, state) else None


def page(
    query: ListQuery, items: list[dict[str, Any]], status_name: str = "success"
) -> dict[str, Any]:
    """The list answer for one page of `items` ("reserved": a held request, no messages)."""
    start = query.page_index * query.page_size
    chosen = items[start : start + query.page_size]
    return {
        "statusCode": "202",
        "statusName": status_name,
        "messages": chosen,
        "pageIndex": query.page_index,
        "pageSize": query.page_size,
        "itemCount": len(chosen),
        "hasMore": start + query.page_size < len(items),
    }
