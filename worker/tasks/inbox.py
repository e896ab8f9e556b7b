"""The inbox task, run by beat for each provider whose webhooks are set up."""

import logging
from datetime import timedelta

from config.names import TASK_APPLY_INBOX
from worker.services.inbox import Intake
from worker.tasks import context, locks
from worker.tasks.app import app

log = logging.getLogger(__name__)

# A round that outlives this is assumed dead and its lock lapses.
INBOX_LOCK_SECONDS = 120


@app.task(name=TASK_APPLY_INBOX)
def apply_inbox_task(provider: str) -> int:
    """Beat: apply the provider's stored webhook calls; one round at a time."""
    with locks.held(f"inbox:{provider}", INBOX_LOCK_SECONDS) as acquired:
        if not acquired:
            return 0
        settings = context.settings()
        hold = timedelta(seconds=settings.service.unmatched_hold_seconds)
        intake = Intake(context.engine(), context.client(provider), settings.resend, hold)
        done = intake.apply_new()
        if done:
            log.info("inbox provider=%s %s", provider, dict(done))
        return done["applied"]
