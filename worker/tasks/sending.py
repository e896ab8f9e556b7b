"""The send task: one provider request for one batch."""

from config.names import TASK_SEND_BATCH
from worker.services.dispatch import Dispatcher
from worker.tasks import context
from worker.tasks.app import app


@app.task(name=TASK_SEND_BATCH)
def send_batch_task(batch_id: int, provider: str) -> str:
    """Send the batch unless another run already did."""
    settings = context.settings()
    dispatcher = Dispatcher(
        context.engine(), context.client(provider), settings.send, settings.poll
    )
    return dispatcher.send_batch(batch_id).value
