"""Reserved sends (api-guide "Scheduled Delivery"): list, get one, cancel per recipientSeq."""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from simulator.nhn.lifecycle import reservation_status
from simulator.nhn.listing import paged
from simulator.nhn.queries import ListQuery
from simulator.nhn.results import PARAMETER, NhnError
from simulator.nhn.store import Message, NhnRequest, NhnStore
from simulator.nhn.views import reservation_item, send_type

Check = Callable[[Message, str, float], bool]
CHECKS: dict[str, Check] = {
    "sendNo": lambda m, w, now: m.request.send_no == w,
    "recipientNo": lambda m, w, now: m.number == w,
    "messageStatus": lambda m, w, now: reservation_status(m, now) == w,
    "sendType": lambda m, w, now: send_type(m.request.kind) == w,
}


def _requests(store: NhnStore, query: ListQuery) -> Iterator[NhnRequest]:
    for request in store.reserved():
        if query.request_id not in (None, request.request_id):
            continue
        if query.sent is not None and not query.sent.holds(request.send_at):
            continue
        if query.created is not None and not query.created.holds(request.created_at):
            continue
        yield request


def _matching(store: NhnStore, query: ListQuery, now: float) -> Iterator[Message]:
    for request in _requests(store, query):
        for index in range(request.size):
            message = request.message(index)
            if all(CHECKS[k](message, w, now) for k, w in query.filters.items()):
                yield message


def list_body(store: NhnStore, query: ListQuery, now: float) -> dict[str, Any]:
    """GET /reservations body: the reserved messages, paged."""
    found = _matching(store, query, now)
    return paged(query.paging, found, lambda m: reservation_item(m, now))


def find(store: NhnStore, request_id: str, raw_seq: str) -> Message:
    """The reserved message (requestId, recipientSeq); NhnError -2008 / -2012 when none."""
    request = store.request(request_id)
    if request is None or not request.reserved:
        raise NhnError(-2008, f"requestId {request_id!r} is not a reserved request")
    index = request.index_of(int(raw_seq)) if raw_seq.isascii() and raw_seq.isdigit() else None
    if index is None:
        raise NhnError(-2012, f"recipientSeq {raw_seq!r} is not in {request_id}")
    return request.message(index)


@dataclass(frozen=True, slots=True)
class Cancellation:
    """What one PUT /reservations/cancel did."""

    requested: int
    canceled: list[Message]
    requests_touched: int  # reservations with their first canceled message in this call


def _targets(raw: bytes) -> list[tuple[str, int]]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise NhnError(-9997, "the body is not JSON") from None
    entries = data.get("reservationList") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise NhnError(PARAMETER, "reservationList must be a non-empty list")
    if not isinstance(data.get("updateUser"), str) or not data["updateUser"]:
        raise NhnError(PARAMETER, "updateUser is required")
    targets = []
    for entry in entries:
        seq = entry.get("recipientSeq") if isinstance(entry, dict) else None
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise NhnError(PARAMETER, "each reservation needs requestId and recipientSeq")
        targets.append((str(entry.get("requestId", "")), seq))
    return targets


def _cancel_one(store: NhnStore, request_id: str, seq: int, now: float) -> Message | None:
    """Cancel one message if it is still RESERVED; None when it was not."""
    request = store.request(request_id)
    index = None if request is None or not request.reserved else request.index_of(seq)
    if request is None or index is None:
        return None
    if reservation_status(request.message(index), now) != "RESERVED":
        return None
    return request.message(index) if store.cancel(request, index, now) else None


def cancel(store: NhnStore, raw: bytes, now: float) -> Cancellation:
    """PUT /reservations/cancel: only RESERVED messages are canceled."""
    targets = _targets(raw)
    done = [m for rid, seq in targets if (m := _cancel_one(store, rid, seq, now)) is not None]
    firsts = {id(m.request) for m in done if len(m.request.canceled) == _count(done, m.request)}
    return Cancellation(len(targets), done, len(firsts))


def _count(done: list[Message], request: NhnRequest) -> int:
    return sum(1 for m in done if m.request is request)
