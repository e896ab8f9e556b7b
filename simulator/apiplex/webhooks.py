"""Results pushed, never polled: completed messages become records, with the webhook faults."""

import heapq
import itertools
import logging
import random
import threading
import time

from simulator.apiplex.faults import ApiplexFaultSettings
from simulator.apiplex.messages import Message
from simulator.apiplex.outbox import Delivery, Outbox, RetryPolicy
from simulator.apiplex.wire import pending_record, result_record, webhook_body
from simulator.core.clock import SimClock
from simulator.core.counters import Counters
from simulator.core.faults import Faults

log = logging.getLogger("simulator.apiplex")

TICK = 0.05  # seconds between looks for completed messages


class Webhooks:
    """Messages waiting for their result (a heap on the simulator clock), the webhook URL, the
    burst hold and the outbox; one thread turns completions into webhook calls."""

    def __init__(
        self,
        policy: RetryPolicy,
        counters: Counters,
        faults: Faults[ApiplexFaultSettings],
        clock: SimClock,
    ) -> None:
        self._counters, self._faults, self._clock = counters, faults, clock
        self._lock = threading.Lock()
        self._url: str | None = None
        self._epoch = 0  # bumped by reset: completions drawn before it are dropped
        self.outbox = Outbox(policy, counters)
        self._clear()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="apiplex-results", daemon=True)
        self._thread.start()

    def _clear(self) -> None:
        """Nothing waiting or held; the shuffle draw from the seed (caller holds the lock)."""
        self._waiting: list[tuple[float, int, Message]] = []
        self._order = itertools.count()
        self._held: list[Delivery] = []
        self._held_since = 0.0
        self._rng = random.Random(self._faults.settings.seed)

    @property
    def url(self) -> str | None:
        """Where records go; None: nowhere (they are counted as unsent)."""
        with self._lock:
            return self._url

    def configure(self, url: str | None) -> None:
        """Set (or with None, clear) the webhook URL."""
        with self._lock:
            self._url = url

    def schedule(self, messages: list[Message]) -> None:
        """Report `messages` when they complete (those that never do are not kept)."""
        with self._lock:
            for message in messages:
                if message.done_at is not None:
                    entry = (message.done_at, next(self._order), message)
                    heapq.heappush(self._waiting, entry)

    def reset(self, url: str | None) -> None:
        """POST /_sim/reset: nothing waiting, held or queued; the URL back to `url`."""
        with self._lock:
            self.outbox.reset()
            self._epoch += 1
            self._clear()
            self._url = url

    def close(self) -> None:
        """Stop the completion thread and the senders."""
        self._stop.set()
        self._thread.join(timeout=1.0)
        self.outbox.close()

    def _run(self) -> None:
        while not self._stop.wait(TICK):
            try:
                self._tick()
            except Exception:
                log.exception("webhook scheduling failed")

    def _tick(self) -> None:
        epoch, url, due = self._due(self._clock.now())
        settings = self._faults.settings
        if due:
            self._counters.bump("results_completed", len(due))
            if url is None:
                self._counters.bump("webhook_unsent", len(due))
        calls = [c for m in due for c in self._calls(m, url, settings)] if url else []
        self._release(epoch, calls, settings)

    def _due(self, now: float) -> tuple[int, str | None, list[Message]]:
        """The epoch, the URL and the messages completed by `now`, taken off the heap."""
        found = []
        with self._lock:
            while self._waiting and self._waiting[0][0] <= now:
                found.append(heapq.heappop(self._waiting)[2])
            return self._epoch, self._url, found

    def _calls(self, message: Message, url: str, s: ApiplexFaultSettings) -> list[Delivery]:
        """The final record's call; maybe a PENDING record after it, maybe a second copy."""
        final = Delivery(url, webhook_body(result_record(message)))
        if self._faults.chance(s.webhook_late_pending_rate):
            final.then = Delivery(url, webhook_body(pending_record(message)))
            self._counters.bump("webhook_out_of_order")
        if not self._faults.chance(s.webhook_duplicate_rate):
            return [final]
        self._counters.bump("webhook_duplicates")
        return [final, Delivery(url, final.body)]

    def _release(self, epoch: int, calls: list[Delivery], s: ApiplexFaultSettings) -> None:
        """Queue `calls` now, or hold them for a burst; shuffled when webhook_shuffle is on.

        Under the lock, so a reset either clears what was queued or sees it dropped here.
        """
        with self._lock:
            if epoch != self._epoch:
                return
            if calls and not self._held:
                self._held_since = time.monotonic()
            self._held.extend(calls)
            waited = time.monotonic() - self._held_since
            if not self._held or waited < s.webhook_burst_seconds:
                return
            batch, self._held = self._held, []
            if s.webhook_shuffle:
                self._rng.shuffle(batch)
            for call in batch:
                self.outbox.put(call)
        if s.webhook_burst_seconds > 0:
            self._counters.bump("webhook_bursts")
