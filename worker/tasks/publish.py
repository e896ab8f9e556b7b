"""Publish send tasks by name onto each provider's queue."""

from collections.abc import Sequence

from config.names import TASK_SEND_BATCH, send_queue
from worker.services.publishing import SendJob
from worker.tasks.app import app


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
