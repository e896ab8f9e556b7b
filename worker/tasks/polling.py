"""The poll task, run by beat for each provider."""

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from config import providers
from config.names import (
    QUEUE_POLL,
    TASK_POLL_BATCHES,
    TASK_POLL_RESULTS,
    TASK_RECONCILE_SENDS,
    TASK_SYNC_OPT_OUTS,
)
from worker.db.types import utcnow
from worker.health.rules import BreakerState
from worker.providers.errors import ProviderError
from worker.services.lateness import late_share
from worker.services.optouts import sync_opt_outs
from worker.services.polling import Poller
from worker.services.reconciling import Reconciler
from worker.tasks import context, locks
from worker.tasks.app import app

log = logging.getLogger(__name__)

# A round that outlives this is assumed dead and its lock lapses.
POLL_LOCK_SECONDS = 300


@app.task(name=TASK_POLL_RESULTS)
def poll_results_task(provider: str) -> int:
    """Apply the results of due batches; skipped while another poller holds the lock."""
    with locks.held(f"poll:{provider}", POLL_LOCK_SECONDS) as acquired:
        if not acquired:
            log.info("poll provider=%s skipped: another poller runs", provider)
            return 0
        poller = _poller(provider, fan_out=partial(_hand_out, provider))
        applied = poller.poll_due().results_applied
        _report_late_results(provider)
        return applied


def _report_late_results(provider: str) -> None:
    """Tell the breaker how many recent messages still lack a result past the usual delay
    (only those sent since it last changed, so old ones cannot re-open it)."""
    breaker = context.breaker(provider)
    late = timedelta(seconds=context.settings().breaker.slow_after_seconds)
    found = late_share(context.engine(), provider, breaker.health().since, late, utcnow())
    if found is not None:
        breaker.record_slow(*found)


@app.task(name=TASK_POLL_BATCHES)
def poll_batches_task(provider: str, batch_ids: list[int]) -> int:
    """Apply the results of the batches a round handed out (several run at once)."""
    return _poller(provider).poll_batches(batch_ids).results_applied


def _poller(provider: str, fan_out: Callable[[list[int]], None] | None = None) -> Poller:
    settings = context.settings()
    client = context.client(provider)
    can = providers.get(provider).capabilities
    asks = can.polling or can.sweep
    return Poller(context.engine(), client, settings.poll, settings.resend, fan_out, asks)


def _hand_out(provider: str, batch_ids: list[int]) -> None:
    poll_batches_task.apply_async(args=(provider, batch_ids), queue=QUEUE_POLL)


@app.task(name=TASK_SYNC_OPT_OUTS)
def sync_opt_outs_task(provider: str) -> int:
    """Beat: copy the provider's 080 opt-outs into the suppression table."""
    return sync_opt_outs(context.engine(), context.client(provider))


@app.task(name=TASK_RECONCILE_SENDS)
def reconcile_sends_task(provider: str) -> int:
    """Beat: ask the provider about sends whose answer never came; one round at a time."""
    with locks.held(f"reconcile:{provider}", POLL_LOCK_SECONDS) as acquired:
        if not acquired:
            return 0
        settings = context.settings()
        pushed = providers.receives_webhooks(settings, provider)
        reconciler = Reconciler(
            context.engine(), context.client(provider), settings.send, settings.poll, pushed
        )
        done = reconciler.reconcile_due()
        if done:
            log.info("reconcile provider=%s %s", provider, dict(done))
        _probe_if_half_open(provider)
        return sum(done.values())


def _probe_if_half_open(provider: str) -> None:
    """A half-open breaker whose probe no send has taken is probed with one cheap call: the
    provider's batches may all have moved elsewhere, leaving nothing to probe with."""
    breaker = context.breaker(provider)
    if breaker.health().state is not BreakerState.HALF_OPEN or not breaker.allow():
        return
    try:
        context.client(provider).probe()
    except ProviderError as exc:
        breaker.record_error(exc)
        return
    breaker.record_success()
