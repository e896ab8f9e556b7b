"""Webhook calls in flight: due POSTs, a few sender threads, retries with backoff, giving up."""

import heapq
import http.client
import itertools
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from simulator.apiplex.wire import WEBHOOK_HEADERS, acknowledged
from simulator.core.counters import Counters

log = logging.getLogger("simulator.apiplex")

TIMEOUT = 5.0  # seconds a receiver has to answer one call
SENDERS = 4  # calls in flight at once
IDLE = 0.05  # longest wait between looks at the queue


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """A failed call is retried up to `retries` times, the n-th retry n × `backoff` s later.

    PROVIDERS.md: API PLEX retries a failed delivery up to 10 times; its interval is not
    documented (linear backoff, scaled by --webhook-backoff, is the simulator's choice).
    """

    retries: int = 10
    backoff: float = 1.0


@dataclass(slots=True)
class Delivery:
    """One webhook call: a record's body to a URL; `then` is queued once it is done."""

    url: str
    body: bytes
    then: "Delivery | None" = None
    failures: int = 0
    why: str = ""  # the last failure: an HTTP status or the network error
    generation: int = -1  # the outbox's generation it belongs to (reset starts a new one)


class Outbox:
    """A time-ordered queue of calls, worked by SENDERS threads; counts every outcome."""

    def __init__(self, policy: RetryPolicy, counters: Counters) -> None:
        self._policy, self._counters = policy, counters
        self._ready = threading.Condition()
        self._queue: list[tuple[float, int, Delivery]] = []
        self._order = itertools.count()
        self._generation = 0
        self._stop = threading.Event()
        # Straight to the receiver: never through a proxy from the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self._threads = [
            threading.Thread(target=self._work, name=f"apiplex-webhook-{n}", daemon=True)
            for n in range(SENDERS)
        ]
        for thread in self._threads:
            thread.start()

    def put(self, delivery: Delivery, delay: float = 0.0) -> None:
        """Queue a new call, due in `delay` seconds."""
        with self._ready:
            delivery.generation = self._generation
        self._push(delivery, delay)

    def _push(self, delivery: Delivery, delay: float) -> None:
        with self._ready:
            if delivery.generation != self._generation:
                return  # queued before a reset: forgotten
            ready = time.monotonic() + delay
            heapq.heappush(self._queue, (ready, next(self._order), delivery))
            self._ready.notify()

    def reset(self) -> None:
        """Forget every queued call; calls in flight finish uncounted."""
        with self._ready:
            self._queue.clear()
            self._generation += 1

    def close(self) -> None:
        """Stop the sender threads (queued calls are dropped)."""
        self._stop.set()
        with self._ready:
            self._ready.notify_all()
        for thread in self._threads:
            thread.join(timeout=TIMEOUT + 1)

    def _next(self) -> Delivery | None:
        with self._ready:
            while not self._stop.is_set():
                wait = self._queue[0][0] - time.monotonic() if self._queue else IDLE
                if wait <= 0:
                    return heapq.heappop(self._queue)[2]
                self._ready.wait(min(wait, IDLE))
        return None

    def _work(self) -> None:
        while (delivery := self._next()) is not None:
            try:
                self._deliver(delivery)
            except Exception:
                log.exception("webhook delivery failed")

    def _current(self, delivery: Delivery) -> bool:
        with self._ready:
            return delivery.generation == self._generation

    def _deliver(self, delivery: Delivery) -> None:
        received = self._post(delivery)
        if not self._current(delivery):
            return
        self._counters.bump("webhook_attempts")
        if received:
            self._counters.bump("webhook_succeeded")
            self._done(delivery)
        else:
            self._failed(delivery)

    def _failed(self, delivery: Delivery) -> None:
        self._counters.bump("webhook_failed")
        if delivery.failures >= self._policy.retries:
            self._counters.bump("webhook_given_up")
            retries, why = delivery.failures, delivery.why
            log.warning("webhook record given up after %d retries (last: %s)", retries, why)
            self._done(delivery)
            return
        delivery.failures += 1
        self._push(delivery, delivery.failures * self._policy.backoff)

    def _done(self, delivery: Delivery) -> None:
        if delivery.then is not None:
            delivery.then.generation = delivery.generation
            self._push(delivery.then, 0.0)

    def _post(self, delivery: Delivery) -> bool:
        """POST one record; True when the receiver acknowledged it (wire.acknowledged)."""
        request = urllib.request.Request(
            delivery.url, data=delivery.body, method="POST", headers=WEBHOOK_HEADERS
        )
        try:
            with self._opener.open(request, timeout=TIMEOUT) as answer:
                delivery.why = f"HTTP {answer.status}, not acknowledged"
                return acknowledged(answer.status, answer.read())
        except (OSError, http.client.HTTPException) as exc:  # HTTPError (non-2xx): an OSError
            delivery.why = f"{type(exc).__name__}: {exc}"
            return False
