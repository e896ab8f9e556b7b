"""The send task: pass the provider's shared rate limit, then one request for one batch."""

import logging
from dataclasses import replace
from functools import cache, partial

from celery import Task

from config import providers
from config.names import TASK_SEND_BATCH
from config.provider_settings import ProviderLimits
from worker.health.rules import BreakerState
from worker.providers.errors import ProviderError
from worker.ratelimit.gate import Gate, MustWait
from worker.ratelimit.limiter import RedisLimiter
from worker.services.dispatch import Dispatcher, PendingBatch, SendOutcome
from worker.tasks import context
from worker.tasks.app import app

log = logging.getLogger(__name__)


def limits(provider: str) -> ProviderLimits:
    """The configured limits of `provider`."""
    return context.provider_settings(provider).limits


@cache
def gate(provider: str) -> Gate:
    """One gate per provider and process, over the process's Redis connection pool."""
    return Gate(provider, limits(provider), RedisLimiter(context.redis_client()))


# Re-queued waits are not send attempts: the batch is not claimed until the gate opens.
@app.task(name=TASK_SEND_BATCH, bind=True, max_retries=None)
def send_batch_task(
    self: Task, batch_id: int, provider: str, recipients: int = 0, sender: str = ""
) -> str:
    """Send the batch unless another run already did; wait for the limiter first.

    The job names the batch's size and sender, so the limiter is asked without a database
    read; a job without them (a release or a retry) reads them first. A duplicate task that
    got a token finds the batch claimed and sends nothing.
    """
    settings = context.settings()
    dispatcher = Dispatcher(
        context.engine(),
        context.client(provider),
        settings.send,
        settings.poll,
        settings.resend,
        pushed=providers.receives_webhooks(settings, provider),
        ad=settings.ad,
    )
    pending = PendingBatch(recipients, sender) if recipients else dispatcher.pending(batch_id)
    if pending is None:
        return SendOutcome.SKIPPED.value
    if dispatcher.hold_in_quiet_hours(batch_id):
        return "held"
    health = context.breaker(provider)
    if not health.allow():
        # The provider is sick: the batch stays planned; failover moves an auto campaign's
        # batch on, a pinned one is published again once the breaker lets a probe through.
        log.info("batch=%s held: %s breaker is open", batch_id, provider)
        return "held"
    dispatcher = replace(dispatcher, on_call=partial(_observe, provider))
    limit = gate(provider)
    try:
        with limit.admitted(pending.recipients, pending.sender) as ticket:
            reporting = replace(dispatcher, on_slow_down=partial(limit.slow_down, ticket))
            return reporting.send_batch(batch_id).value
    except MustWait as wait:
        log.info("batch=%s provider=%s re-queued: %s", batch_id, provider, wait)
        if health.health().state is BreakerState.HALF_OPEN:
            health.release_probe()  # ours (only one caller gets it): let another probe now
        raise self.retry(countdown=wait.seconds) from None


def _observe(provider: str, outcome: ProviderError | None) -> None:
    """One provider call's outcome, into the provider's breaker."""
    breaker = context.breaker(provider)
    if outcome is None:
        breaker.record_success()
    else:
        breaker.record_error(outcome)
