"""Publish send tasks by name onto each provider's queue."""

from collections.abc import Sequence

from config.names import TASK_SEND_BATCH, send_queue
from worker.tasks.app import app


def publish_batches(batches: Sequence[tuple[int, str]]) -> None:
    """One send_batch task per (batch id, provider), on that provider's queue."""
    if not batches:
        return
    with app.producer_or_acquire() as producer:
        for batch_id, provider in batches:
            app.send_task(
                TASK_SEND_BATCH,
                args=(batch_id, provider),
                queue=send_queue(provider),
                producer=producer,
            )
