"""Webhook delivery from a background thread: batches, retries with backoff, and faults.

Each completed message of a request accepted while a webhook URL is set becomes a
MESSAGE_RESULT_UPDATE hook; a few hooks go in one POST. A POST that gets no 2xx is retried
after `backoff`, doubling each time (at most 60 s), up to `retries` times.
"""

import heapq
import itertools
import json
import logging
import random
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from simulator.core.clock import SimClock
from simulator.core.counters import Counters
from simulator.core.faults import Faults
from simulator.nhn.completions import CompletionFeed
from simulator.nhn.faults import NhnFaultSettings
from simulator.nhn.hooks import envelope, result_hook
from simulator.nhn.lifecycle import state
from simulator.nhn.store import Message, NhnRequest

log = logging.getLogger("simulator.nhn")

BATCH = 10  # hooks per POST
TICK = 0.05  # seconds between looks for completed messages and due deliveries
MAX_BACKOFF = 60.0
TIMEOUT = 5.0
SHUFFLE_SPREAD = 0.3  # webhook_shuffle: each POST released up to this many seconds late
SIGNATURE_HEADER = "X-Toast-Webhook-Signature"


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """Where hooks go and the signature string sent with them."""

    url: str
    signature: str = ""


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """The app key hooks name, and how failed deliveries are retried."""

    app_key: str
    retries: int = 10
    backoff: float = 1.0


@dataclass(slots=True)
class _Delivery:
    body: bytes
    target: WebhookTarget
    attempt: int = 0


class Webhooks:
    """The webhook target, the completion feed and the delivery queue, run by one thread."""

    def __init__(
        self,
        policy: DeliveryPolicy,
        counters: Counters,
        faults: Faults[NhnFaultSettings],
        clock: SimClock,
    ) -> None:
        self._policy, self._counters, self._faults, self._clock = policy, counters, faults, clock
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.feed = CompletionFeed()
        self._target: WebhookTarget | None = None
        self._reset_queue()
        self._thread = threading.Thread(target=self._run, name="nhn-webhooks", daemon=True)
        self._thread.start()

    def _reset_queue(self) -> None:
        with self._lock:
            self._queue: list[tuple[float, int, _Delivery]] = []
            self._order = itertools.count()
            self._rng = random.Random(self._faults.settings.seed)

    @property
    def target(self) -> WebhookTarget | None:
        """The current target; None: no webhooks."""
        with self._lock:
            return self._target

    def configure(self, target: WebhookTarget | None) -> None:
        """Set (or with None, clear) the webhook target."""
        with self._lock:
            self._target = target

    def reset(self) -> None:
        """POST /_sim/reset: no target, nothing watched, nothing queued."""
        self.configure(None)
        self.feed.reset()
        self._reset_queue()

    def watch(self, request: NhnRequest) -> None:
        """Hook `request`'s messages as they complete, if a target is set now."""
        if self.target is not None:
            self.feed.watch(request)

    def send(self, event: str, hooks: list[dict[str, Any]]) -> None:
        """Queue `hooks` of `event`, a few per POST, with the webhook faults applied."""
        target = self.target
        if target is None or not hooks:
            return
        settings = self._faults.settings
        with self._lock:
            if settings.webhook_shuffle:
                self._rng.shuffle(hooks)
            for start in range(0, len(hooks), BATCH):
                body = envelope(
                    event, hooks[start : start + BATCH], self._policy.app_key, time.time()
                )
                self._queue_batch(json.dumps(body, ensure_ascii=False).encode(), target, settings)

    def _queue_batch(self, body: bytes, target: WebhookTarget, s: NhnFaultSettings) -> None:
        delay = self._rng.uniform(0, SHUFFLE_SPREAD) if s.webhook_shuffle else 0.0
        copies = 2 if self._faults.chance(s.webhook_duplicate_rate) else 1
        if copies == 2:
            self._counters.bump("webhook_duplicates")
        for copy in range(copies):
            ready = time.monotonic() + delay + copy * TICK
            heapq.heappush(self._queue, (ready, next(self._order), _Delivery(body, target)))

    def close(self) -> None:
        """Stop the delivery thread (queued deliveries are dropped)."""
        self._stop.set()
        self._thread.join(timeout=TIMEOUT + 1)

    def _run(self) -> None:
        while not self._stop.wait(TICK):
            try:
                self._hook_completions()
                self._deliver_due()
            except Exception:
                log.exception("webhook delivery failed")

    def _hook_completions(self) -> None:
        now = self._clock.now()
        due: list[Message] = self.feed.due(now)
        app_key = self._policy.app_key
        self.send(
            "MESSAGE_RESULT_UPDATE", [result_hook(m, state(m, now), app_key, now) for m in due]
        )

    def _next_due(self) -> _Delivery | None:
        with self._lock:
            if self._queue and self._queue[0][0] <= time.monotonic():
                return heapq.heappop(self._queue)[2]
        return None

    def _deliver_due(self) -> None:
        while not self._stop.is_set() and (delivery := self._next_due()) is not None:
            if _post(delivery):
                self._counters.bump("webhook_deliveries")
            else:
                self._retry(delivery)

    def _retry(self, delivery: _Delivery) -> None:
        if delivery.attempt >= self._policy.retries:
            self._counters.bump("webhook_failures")
            log.warning("webhook delivery given up after %d retries", delivery.attempt)
            return
        wait = min(MAX_BACKOFF, self._policy.backoff * 2**delivery.attempt)
        delivery.attempt += 1
        self._counters.bump("webhook_retries")
        with self._lock:
            heapq.heappush(self._queue, (time.monotonic() + wait, next(self._order), delivery))


def _post(delivery: _Delivery) -> bool:
    """POST one delivery; True on a 2xx answer."""
    request = urllib.request.Request(
        delivery.target.url,
        data=delivery.body,
        method="POST",
        headers={
            "Content-Type": "application/json;charset=UTF-8",
            SIGNATURE_HEADER: delivery.target.signature,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            return 200 <= answer.status < 300
    except urllib.error.HTTPError as exc:
        return 200 <= exc.code < 300
    except OSError:
        return False
