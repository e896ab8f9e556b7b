"""Messages in the order they complete, for MESSAGE_RESULT_UPDATE webhooks.

One heap entry per watched request until its send time; then, while it is in flight, its
messages' completion times sorted once, and a cursor. Nothing is kept per message for
requests that are done, so the feed stays small however many messages were sent.
"""

import heapq
import itertools
import threading
from dataclasses import dataclass

from simulator.nhn.lifecycle import complete_at
from simulator.nhn.store import Message, NhnRequest


@dataclass(slots=True)
class _Flight:
    """A started request: (completion time, index) sorted, and how many were emitted."""

    request: NhnRequest
    schedule: list[tuple[float, int]]
    cursor: int = 0


def _flight(request: NhnRequest) -> _Flight:
    schedule = []
    for index in range(request.size):
        done = complete_at(request.message(index))
        if done is not None:
            schedule.append((done, index))
    schedule.sort()
    return _Flight(request, schedule)


class CompletionFeed:
    """Watched requests; `due(now)` hands out each message once, when it has completed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget every watched request."""
        with self._lock:
            self._waiting: list[tuple[float, int, NhnRequest]] = []
            self._flights: list[_Flight] = []
            self._order = itertools.count()

    def watch(self, request: NhnRequest) -> None:
        """Report `request`'s messages as they complete."""
        with self._lock:
            heapq.heappush(self._waiting, (request.send_at, next(self._order), request))

    def due(self, now: float) -> list[Message]:
        """Messages that completed by `now` and were not handed out yet (canceled ones skipped)."""
        with self._lock:
            while self._waiting and self._waiting[0][0] <= now:
                self._flights.append(_flight(heapq.heappop(self._waiting)[2]))
            found = [m for flight in self._flights for m in self._emit(flight, now)]
            self._flights = [f for f in self._flights if f.cursor < len(f.schedule)]
        return found

    @staticmethod
    def _emit(flight: _Flight, now: float) -> list[Message]:
        found = []
        while flight.cursor < len(flight.schedule) and flight.schedule[flight.cursor][0] <= now:
            message = flight.request.message(flight.schedule[flight.cursor][1])
            flight.cursor += 1
            if message.canceled_at is None:
                found.append(message)
        return found
