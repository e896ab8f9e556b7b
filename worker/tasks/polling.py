"""The poll task, run by beat for each provider."""

import logging

from config.names import TASK_POLL_RESULTS, TASK_SYNC_OPT_OUTS
from worker.services.optouts import sync_opt_outs
from worker.services.polling import Poller
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
        settings = context.settings()
        poller = Poller(context.engine(), context.client(provider), settings.poll, settings.resend)
        return poller.poll_due().results_applied


@app.task(name=TASK_SYNC_OPT_OUTS)
def sync_opt_outs_task(provider: str) -> int:
    """Beat: copy the provider's 080 opt-outs into the suppression table."""
    return sync_opt_outs(context.engine(), context.client(provider))
