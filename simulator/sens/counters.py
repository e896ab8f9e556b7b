"""Counters behind GET /_sim/stats: accepted requests, reservations, duplicates, answers."""

import hashlib
import threading
from collections import Counter, deque
from typing import Any

MAX_DUPLICATES_SHOWN = 100
# Enough for 10 minutes at over 300 requests/s; tests measure rates and slices from these.
MAX_ACCEPTED_TIMES = 200_000


def _digest(content: str) -> bytes:
    return hashlib.blake2b(content.encode("utf-8"), digest_size=16).digest()


class Counters:
    """Thread-safe tallies; content is kept only for keys seen at least twice."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget everything."""
        with self._lock:
            self._requests = 0
            self._messages = 0
            self._sends: Counter[tuple[str, str, bytes]] = Counter()
            self._duplicates: dict[tuple[str, str, bytes], str] = {}
            self._duplicate_total = 0
            self._sent_to: Counter[str] = Counter()
            self._responses: Counter[str] = Counter()
            self._window_rejections = 0
            self._rate_limited = 0
            self._reservations = 0
            self._cancellations = 0
            self._canceled_messages = 0
            self._accepted_times: deque[float] = deque(maxlen=MAX_ACCEPTED_TIMES)

    def record_request(self, at: float | None = None, reserved: bool = False) -> None:
        """One send request accepted (at epoch seconds `at`, kept for /_sim/stats)."""
        with self._lock:
            self._requests += 1
            self._reservations += reserved
            if at is not None:
                self._accepted_times.append(at)

    def record_cancellation(self, messages: int) -> None:
        """One reservation canceled before its time, with its `messages` never sent."""
        with self._lock:
            self._cancellations += 1
            self._canceled_messages += messages

    def record_rate_limited(self) -> None:
        """One send refused by the simulator's own rate limit."""
        with self._lock:
            self._rate_limited += 1

    def record_message(self, sender: str, to: str, content: str) -> int:
        """One accepted message; returns how many were accepted for `to` before it."""
        key = (sender, to, _digest(content))
        with self._lock:
            self._messages += 1
            self._sends[key] += 1
            if self._sends[key] > 1:
                self._duplicate_total += 1
                self._duplicates.setdefault(key, content)
            attempt = self._sent_to[to]
            self._sent_to[to] += 1
            return attempt

    def record_response(self, status: int) -> None:
        """One API answer with HTTP `status`."""
        with self._lock:
            self._responses[str(status)] += 1

    def record_window_rejection(self) -> None:
        """One list query refused by the window rules."""
        with self._lock:
            self._window_rejections += 1

    def _duplicate_rows(self) -> list[dict[str, Any]]:
        rows = []
        for key, content in list(self._duplicates.items())[:MAX_DUPLICATES_SHOWN]:
            sender, to, _ = key
            rows.append({"from": sender, "to": to, "content": content, "count": self._sends[key]})
        return rows

    def snapshot(self) -> dict[str, Any]:
        """The JSON shape of GET /_sim/stats."""
        with self._lock:
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
                "sent_to": dict(self._sent_to),
            }
