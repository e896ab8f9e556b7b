"""Counters behind GET /_sim/stats: accepted requests, reservations, duplicates, answers."""

import hashlib
import json
import threading
from collections import Counter, deque
from typing import Any

from simulator.core.numbers import pack, unpack
from simulator.core.tally import CountTable

MAX_DUPLICATES_SHOWN = 100
# Enough for 10 minutes at over 300 requests/s; tests measure rates and slices from these.
MAX_ACCEPTED_TIMES = 200_000


def _digest(sender: str, to: str, content: str) -> int:
    """A 64-bit key for (sender, to, content); a collision needs ~4 billion distinct sends."""
    raw = hashlib.blake2b(f"{sender}\0{to}\0{content}".encode(), digest_size=8).digest()
    return int.from_bytes(raw, "big") or 1


class Counters:
    """Thread-safe tallies, compact per message: a 64-bit digest per distinct (sender, to,
    content) and a packed number per recipient; content is kept only for the first
    MAX_DUPLICATES_SHOWN keys seen twice. `extra` names provider tallies (`bump`) shown
    after the common keys.
    """

    def __init__(self, extra: tuple[str, ...] = ()) -> None:
        self._lock = threading.Lock()
        self._extra_names = extra
        self.reset()

    def reset(self) -> None:
        """Forget everything."""
        with self._lock:
            self._requests = 0
            self._messages = 0
            self._sends = CountTable()
            self._duplicates: dict[int, tuple[str, str, str]] = {}
            self._duplicate_total = 0
            self._sent_to = CountTable()
            self._sent_to_odd: Counter[str] = Counter()  # numbers that do not pack
            self._responses: Counter[str] = Counter()
            self._window_rejections = 0
            self._rate_limited = 0
            self._reservations = 0
            self._cancellations = 0
            self._canceled_messages = 0
            self._accepted_times: deque[float] = deque(maxlen=MAX_ACCEPTED_TIMES)
            self._extra = dict.fromkeys(self._extra_names, 0)

    def record_request(self, at: float | None = None, reserved: bool = False) -> None:
        """One send request accepted (at epoch seconds `at`, kept for /_sim/stats)."""
        with self._lock:
            self._requests += 1
            self._reservations += reserved
            if at is not None:
                self._accepted_times.append(at)

    def record_cancellation(self, messages: int, reservations: int = 1) -> None:
        """`reservations` canceled before their time, with their `messages` never sent."""
        with self._lock:
            self._cancellations += reservations
            self._canceled_messages += messages

    def record_rate_limited(self) -> None:
        """One send refused by the simulator's own rate limit."""
        with self._lock:
            self._rate_limited += 1

    def record_message(self, sender: str, to: str, content: str) -> int:
        """One accepted message; returns how many were accepted for `to` before it."""
        return self.record_messages(sender, [(to, content)])[0]

    def record_messages(self, sender: str, messages: list[tuple[str, str]]) -> list[int]:
        """Accepted messages (to, content) of one request; for each, how many were accepted for
        its `to` before it. Digests are taken before the lock, the tables counted at once."""
        keys = [_digest(sender, to, content) for to, content in messages]
        packed = [pack(to) for to, _ in messages]
        with self._lock:
            self._messages += len(messages)
            for seen, key, message in zip(self._sends.add_many(keys), keys, messages, strict=True):
                if seen:
                    self._note_duplicate(key, sender, *message)
            counted = iter(self._sent_to.add_many([code for code in packed if code]))
            return [next(counted) if code else self._odd(to) for code, (to, _) in
                    zip(packed, messages, strict=True)]  # fmt: skip

    def _note_duplicate(self, key: int, sender: str, to: str, content: str) -> None:
        self._duplicate_total += 1
        if len(self._duplicates) < MAX_DUPLICATES_SHOWN:
            self._duplicates.setdefault(key, (sender, to, content))

    def _odd(self, to: str) -> int:
        attempt = self._sent_to_odd[to]
        self._sent_to_odd[to] += 1
        return attempt

    def record_response(self, status: int) -> None:
        """One API answer with HTTP `status`."""
        with self._lock:
            self._responses[str(status)] += 1

    def record_window_rejection(self) -> None:
        """One list query refused by the window rules."""
        with self._lock:
            self._window_rejections += 1

    def bump(self, name: str, amount: int = 1) -> None:
        """Add `amount` to the provider tally `name` (one of `extra`)."""
        with self._lock:
            self._extra[name] += amount

    def _duplicate_rows(self) -> list[dict[str, Any]]:
        rows = []
        for key, (sender, to, content) in self._duplicates.items():
            count = self._sends.get(key)
            rows.append({"from": sender, "to": to, "content": content, "count": count})
        return rows

    def _sent_to_map(self) -> dict[str, int]:
        counts = {unpack(code): count for code, count in self._sent_to.items()}
        counts.update(self._sent_to_odd)
        return counts

    def _write_sent_to(self, out: bytearray) -> None:
        """sent_to as a JSON object, appended entry by entry (a million numbers: ~20 MB)."""
        out += b"{"
        empty = len(out)
        for code, count in self._sent_to.items():
            out += b'"%s": %d, ' % (unpack(code).encode(), count)
        for number, count in self._sent_to_odd.items():
            out += b"%s: %d, " % (json.dumps(number).encode(), count)
        if len(out) > empty:
            del out[-2:]
        out += b"}"

    def _common(self) -> dict[str, Any]:
        return {
            "requests_accepted": self._requests,
            "messages_accepted": self._messages,
            "duplicate_messages": self._duplicate_total,
            "duplicates": self._duplicate_rows(),
            "responses": dict(self._responses),
            "window_rejections": self._window_rejections,
            "rate_limited": self._rate_limited,
            "reservations_accepted": self._reservations,
            "reservations_canceled": self._cancellations,
            "messages_canceled": self._canceled_messages,
            "accepted_times": [round(t, 4) for t in self._accepted_times],
        }

    def snapshot(self) -> dict[str, Any]:
        """The JSON shape of GET /_sim/stats."""
        with self._lock:
            return {**self._common(), "sent_to": self._sent_to_map(), **self._extra}

    def snapshot_json(self) -> bytearray:
        """`snapshot()` encoded, without building the per-number dict (GET /_sim/stats).

        One buffer, never copied: at a million numbers each copy would cost another ~20 MB.
        """
        with self._lock:
            head = json.dumps({**self._common(), **self._extra}, ensure_ascii=False).encode()
            out = bytearray(head[:-1])
            out += b', "sent_to": '
            self._write_sent_to(out)
        out += b"}"
        return out
