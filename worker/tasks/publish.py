"""Publish send tasks by name onto each provider's queue; see which queues ran dry."""

import logging
from collections.abc import Sequence

from config import providers
from config.broker import queue_depths
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


def empty_queues() -> set[str] | None:
    """The plan queue and the offered providers' send queues that hold no task, read over one
    broker connection; None when the broker cannot tell (then nothing is published twice)."""
    names = [QUEUE_PLAN, *(e.queue for e in providers.offered(context.settings()))]
    try:
        return {name for name, depth in queue_depths(app, names).items() if depth == 0}
    except Exception as exc:
        log.warning("queue depths unknown: %s", exc)
        return None


def idle_providers(empty: set[str] | None) -> list[str]:
    """Offered providers whose send queue is empty: a planned batch of theirs still unclaimed
    has lost its task (a broker restart, a purge) and may be published again."""
    offered = providers.offered(context.settings())
    return [e.name for e in offered if empty is not None and e.queue in empty]
