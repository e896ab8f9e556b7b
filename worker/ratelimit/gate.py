"""A provider's gate: wait for the shared limit, hold an in-flight slot, report 429s."""

import logging
import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from config.provider_settings import ProviderLimits
from worker.ratelimit.keys import LimitKeys
from worker.ratelimit.limiter import Grant, RedisLimiter, Verdict
from worker.ratelimit.policy import LimitPolicy

log = logging.getLogger(__name__)

# While the in-flight cap is full nobody can say when a slot frees: come back in about a
# second (jittered so re-queued tasks spread), as dramatiq's ConcurrentRateLimiter leaves
# the retry to its back-off middleware.
BUSY_RETRY_SECONDS = 1.0
# Refused waits are at most max_wait plus one request's own interval; this guards the
# countdown against odd settings, far below the broker's one-hour visibility timeout.
MAX_COUNTDOWN_SECONDS = 600.0


class MustWait(Exception):
    """Sleeping here would hold a worker too long: re-queue the task after `seconds`."""

    def __init__(self, seconds: float, reason: str) -> None:
        super().__init__(f"wait {seconds:.2f} s: {reason}")
        self.seconds = seconds
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Ticket:
    """One admitted request: its scope, its in-flight holder id and when it was admitted."""

    keys: LimitKeys
    holder: str
    admitted_at: int  # Redis server time, µs


class Gate:
    """One provider's limit, as a send meets it: `with gate.admitted(n): send()`."""

    def __init__(
        self,
        provider: str,
        limits: ProviderLimits,
        limiter: RedisLimiter,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.provider = provider
        self.policy = LimitPolicy.from_limits(limits)
        self.per_sender = limits.per_sender
        self.limiter = limiter
        self.sleep = sleep

    @contextmanager
    def admitted(self, cost: int, sender: str | None = None) -> Iterator[Ticket]:
        """Sleep until this request's slot, hold an in-flight slot while inside; or MustWait."""
        keys = LimitKeys.of(self.provider, sender if self.per_sender else None)
        ticket = self._reserve(keys, cost)
        try:
            yield ticket
        finally:
            if self.policy.max_in_flight:
                self.limiter.release(keys, ticket.holder)

    def slow_down(self, ticket: Ticket, cause: object = None) -> None:
        """The provider answered 429 to this ticket's request: lower the effective rate."""
        rate = self.limiter.slow_down(ticket.keys, self.policy, ticket.admitted_at)
        if rate is not None:
            log.warning("provider=%s effective_rate=%.1f/s reason=429", ticket.keys.scope, rate)

    def _reserve(self, keys: LimitKeys, cost: int) -> Ticket:
        holder = uuid.uuid4().hex
        grant = self.limiter.acquire(keys, self.policy, cost, holder)
        if grant.stepped:
            log.info("provider=%s effective_rate=%.1f/s reason=recovery", keys.scope, grant.rate)
        _refuse_if_not_reserved(grant)
        self.sleep(grant.delay)
        return Ticket(keys, holder, grant.admitted_at)


def _refuse_if_not_reserved(grant: Grant) -> None:
    if grant.verdict is Verdict.BUSY:
        raise MustWait(BUSY_RETRY_SECONDS * random.uniform(0.5, 1.5), "in-flight cap full")
    if grant.verdict is Verdict.TOO_LONG:
        countdown = min(grant.delay, MAX_COUNTDOWN_SECONDS)
        raise MustWait(countdown, f"rate {grant.rate:.1f}/s")
