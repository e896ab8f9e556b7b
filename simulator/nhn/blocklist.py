"""The 080 opt-out list (api-guide "Toll-free Opt-out Service"): who refused ads, on which 080."""

import json
import re
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from simulator.nhn.queries import Window, parse_paging, window
from simulator.nhn.results import PARAMETER, NhnError
from simulator.nhn.times import format_date

_UNSUBSCRIBE_NO = re.compile(r"080\d{7,8}")


@dataclass(frozen=True, slots=True)
class Entry:
    """One opted-out recipient on one 080 number."""

    unsubscribe_no: str
    recipient_no: str
    requested_at: float

    def view(self) -> dict[str, str]:
        """An entry of GET /blockservice/recipients body.data."""
        return {
            "unsubscribeNo": self.unsubscribe_no,
            "recipientNo": self.recipient_no,
            "requestDate": format_date(self.requested_at),
        }


def _unsubscribe_no(raw: Any) -> str:
    number = raw.replace("-", "") if isinstance(raw, str) else ""
    if not _UNSUBSCRIBE_NO.fullmatch(number):
        raise NhnError(-6004, f"unsubscribeNo {raw!r} is not an 080 number")
    return number


def _numbers(raw: Any) -> list[str]:
    if not isinstance(raw, list) or not raw:
        raise NhnError(PARAMETER, "recipientNoList must be a non-empty list of numbers")
    if not all(isinstance(n, str) and n.isascii() and n.isdigit() for n in raw):
        raise NhnError(PARAMETER, "recipientNoList must hold digit strings")
    return raw


def parse_register(raw: bytes) -> tuple[str, list[str]]:
    """(unsubscribeNo, recipientNoList) of POST /blockservice/recipients."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise NhnError(-9997, "the body is not JSON") from None
    if not isinstance(data, dict):
        raise NhnError(-9997, "the body must be a JSON object")
    # The guide gives recipientNoList a "Max Length" of 10; whether that bounds the list or
    # its numbers is unclear, so the simulator enforces neither.
    return _unsubscribe_no(data.get("unsubscribeNo")), _numbers(data.get("recipientNoList"))


def parse_remove(params: Mapping[str, str]) -> tuple[str, list[str]]:
    """(unsubscribeNo, numbers) of DELETE .../removes?unsubscribeNo&updateUser&recipientNoList."""
    if not params.get("updateUser"):
        raise NhnError(PARAMETER, "updateUser is required")
    # The guide's URL says recipientNoList=a,b; its parameter table says recipientNo.
    listed = params.get("recipientNoList") or params.get("recipientNo") or ""
    numbers = [n.strip() for n in listed.split(",") if n.strip()]
    return _unsubscribe_no(params.get("unsubscribeNo")), _numbers(numbers)


class BlockList:
    """Opted-out (unsubscribeNo, recipientNo) pairs; a recipient on any is blocked for ads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries: dict[tuple[str, str], Entry] = {}
            self._blocked: Counter[str] = Counter()

    def register(self, unsubscribe_no: str, numbers: list[str], now: float) -> list[Entry]:
        """Add numbers to `unsubscribe_no`'s list; returns the entries that are new."""
        added = []
        with self._lock:
            for number in dict.fromkeys(numbers):
                key = (unsubscribe_no, number)
                if key not in self._entries:
                    self._entries[key] = Entry(unsubscribe_no, number, now)
                    self._blocked[number] += 1
                    added.append(self._entries[key])
        return added

    def remove(self, unsubscribe_no: str, numbers: list[str]) -> None:
        """Take numbers off `unsubscribe_no`'s list."""
        with self._lock:
            for number in numbers:
                if self._entries.pop((unsubscribe_no, number), None) is not None:
                    self._blocked[number] -= 1
                    if not self._blocked[number]:
                        del self._blocked[number]

    def blocked(self, number: str) -> bool:
        """Whether `number` opted out of ads (on any 080 number)."""
        with self._lock:
            return number in self._blocked

    def _matching(self, params: Mapping[str, str], requested: Window | None) -> list[Entry]:
        unsubscribe_no, recipient_no = params.get("unsubscribeNo"), params.get("recipientNo")
        with self._lock:
            entries = list(self._entries.values())
        return [
            e
            for e in entries
            if unsubscribe_no in (None, "", e.unsubscribe_no)
            and recipient_no in (None, "", e.recipient_no)
            and (requested is None or requested.holds(e.requested_at))
        ]

    def page(self, params: Mapping[str, str]) -> dict[str, Any]:
        """GET /blockservice/recipients body: filtered by number and request date, paged."""
        paging = parse_paging(params)
        found = self._matching(params, window(params, "Request", PARAMETER))
        return paging.body(len(found), [e.view() for e in paging.slice(found)])
