"""Publish send tasks by name onto each provider's queue; see which queues ran dry."""

import logging
from collections.abc import Sequence

from config import providers
from config.broker import queue_depth
from config.names import QUEUE_PLAN, TASK_SEND_BATCH, send_queue
from worker.services.publishing import SendJob
from worker.tasks import context
from worker.tasks.app import app

log = logging.getLogger(__name__)


def publish_batches(jobs: Sequence[SendJob]) -> None:
    """One send_batch task per job, on its provider's queue."""
    if not jobs:
        return
    with app.producer_or_acquire() as producer:
        for job in jobs:
            app.send_task(
                TASK_SEND_BATCH,
                args=tuple(job),
                queue=send_queue(job.provider),
                producer=producer,
            )


def idle_providers() -> list[str]:
    """Offered providers whose send queue holds no task: a planned batch of theirs still
    unclaimed has lost its task (a broker restart, a purge) and may be published again."""
    try:
        offered = providers.offered(context.settings())
        return [e.name for e in offered if queue_depth(app, e.queue) == 0]
    except Exception as exc:  # cannot tell: publish nothing twice this round
        log.warning("send queue depths unknown: %s", exc)
        return []


def plan_queue_idle() -> bool:
    """The plan queue holds no task: a campaign waiting for planning lost its task."""
    try:
        return queue_depth(app, QUEUE_PLAN) == 0
    except Exception as exc:
        log.warning("plan queue depth unknown: %s", exc)
        return False
