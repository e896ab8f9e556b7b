"""Hand work to the workers by task name (the producer never imports worker tasks)."""

from celery import Celery

from config.celery import create_celery
from config.names import QUEUE_PLAN, TASK_CANCEL_CAMPAIGN, TASK_PLAN_CAMPAIGN
from config.settings import Settings

_apps: dict[str, Celery] = {}


def _app(settings: Settings) -> Celery:
    """One Celery client per broker URL and process."""
    if settings.broker_url not in _apps:
        _apps[settings.broker_url] = create_celery(settings, main="bulksms-producer")
    return _apps[settings.broker_url]


def connect(settings: Settings) -> None:
    """Open the broker connection now, so that the first task goes out without waiting for it
    (an import asks for planning on its first committed chunk)."""
    with _app(settings).producer_or_acquire() as producer:
        producer.connection.ensure_connection(max_retries=1)


def enqueue_plan(settings: Settings, campaign_id: int) -> None:
    """Ask a worker to plan the campaign into batches."""
    _app(settings).send_task(TASK_PLAN_CAMPAIGN, args=(campaign_id,), queue=QUEUE_PLAN)


def enqueue_cancel(settings: Settings, campaign_id: int) -> None:
    """Ask a worker to cancel the campaign (it withdraws reservations at the provider)."""
    _app(settings).send_task(TASK_CANCEL_CAMPAIGN, args=(campaign_id,), queue=QUEUE_PLAN)
