"""The naive baseline: one Celery task per recipient (render, one-message POST, mark the row).

A separate Celery app (`celery -A bench.naive worker`) on its own queue, as tutorials and
per-notification systems do it; the bench compares its recipients/s with the batched design.
"""

from functools import cache

from celery import Celery
from sqlalchemy import Engine, text

from config.settings import get_settings
from worker.db.engine import get_engine
from worker.db.types import utcnow
from worker.domain.messages import ContentType, MessageType
from worker.domain.template import render
from worker.providers.base import OutgoingMessage, SendRequest
from worker.providers.sens.client import SensClient

QUEUE = "naive"
TASK = "bench.naive.send_one"

app = Celery("naive", broker=get_settings().broker_url)
app.conf.update(
    task_default_queue=QUEUE,
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    task_acks_late=True,
    worker_prefetch_multiplier=1,
)

ROW = text(
    "SELECT r.phone, r.variables, r.message_type, c.template, c.sender FROM recipient r "
    "JOIN campaign c ON c.id = r.campaign_id WHERE r.id = :id AND r.status = 'pending'"
)
MARK = text(
    "UPDATE recipient SET status = 'accepted', completed_at = :now, attempts = attempts + 1 "
    "WHERE id = :id AND status = 'pending'"
)


@cache
def _engine() -> Engine:
    return get_engine(get_settings().database_url)


@cache
def _client() -> SensClient:
    return SensClient(get_settings().sens)


@app.task(name=TASK, acks_late=True)
def send_one(recipient_id: int) -> bool:
    """Render and send one recipient's message, then mark it accepted."""
    with _engine().connect() as conn:
        row = conn.execute(ROW, {"id": recipient_id}).first()
    if row is None:
        return False
    content = render(row.template, row.variables or {})
    message = OutgoingMessage(to=row.phone, content=content)
    _client().send(
        SendRequest(MessageType(row.message_type), ContentType.COMM, row.sender, [message])
    )
    with _engine().begin() as conn:
        conn.execute(MARK, {"id": recipient_id, "now": utcnow()})
    return True
