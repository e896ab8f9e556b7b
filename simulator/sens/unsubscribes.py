"""The 080 call-block list (seed 003, "080 call block number"): numbers that opted out."""

import json
import threading
from collections.abc import Mapping
from typing import Any

from simulator.sens.replies import Reply, bad_request
from simulator.sens.times import format_time

# Seed 003: pageSize 0..100, default 100; up to 1000 numbers per register/delete call.
MAX_PAGE = 100
MAX_PER_CALL = 1000


class Unsubscribes:
    """Opted-out numbers with when and how they registered (C by 080 call, M manual)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._numbers: dict[str, tuple[str, str]] = {}

    def register(self, numbers: list[str], kind: str, now: float) -> list[dict[str, str]]:
        """Add numbers; returns their entries."""
        with self._lock:
            for number in numbers:
                self._numbers.setdefault(number, (format_time(now), kind))
            return [self._entry(n) for n in numbers]

    def remove(self, numbers: list[str]) -> None:
        """Forget numbers (DELETE)."""
        with self._lock:
            for number in numbers:
                self._numbers.pop(number, None)

    def page(self, number: str | None, size: int, index: int) -> list[dict[str, str]]:
        """One page in registration order, optionally filtered to one number."""
        with self._lock:
            chosen = [n for n in self._numbers if number in (None, n)]
            return [self._entry(n) for n in chosen[index * size : (index + 1) * size]]

    def _entry(self, number: str) -> dict[str, str]:
        registered, kind = self._numbers[number]
        return {"clientTelNo": number, "registerTime": registered, "registerType": kind}


def numbers_in(body: bytes) -> list[str]:
    """The clientTelNo values of a register/delete body; ValueError names the problem."""
    try:
        items: Any = json.loads(body or b"null")
    except ValueError:
        raise ValueError("request body is not valid JSON") from None
    if not isinstance(items, list) or not items:
        raise ValueError("body must be a non-empty list of {clientTelNo}")
    if len(items) > MAX_PER_CALL:
        raise ValueError(f"{len(items)} numbers given; at most {MAX_PER_CALL} per call")
    numbers = [str(item.get("clientTelNo", "")) if isinstance(item, dict) else "" for item in items]
    bad = next((i for i, n in enumerate(numbers) if not n.isdigit()), None)
    if bad is not None:
        raise ValueError(f"[{bad}].clientTelNo must be digits only")
    return numbers


def list_reply(store: Unsubscribes, params: Mapping[str, str]) -> Reply:
    """GET .../unsubscribes with pageSize/pageIndex/clientTelNo."""
    try:
        size = int(params.get("pageSize", MAX_PAGE))
        index = int(params.get("pageIndex", 0))
    except ValueError:
        return bad_request("pageSize and pageIndex must be integers")
    if not 0 <= size <= MAX_PAGE or index < 0:
        return bad_request(f"pageSize must be between 0 and {MAX_PAGE}; pageIndex >= 0")
    return Reply(200, store.page(params.get("clientTelNo"), size, index))
