"""Hand work to the workers by task name (the producer never imports worker tasks)."""

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from celery import Celery
from kombu.exceptions import OperationalError

from config.celery import create_celery
from config.names import QUEUE_PLAN, TASK_CANCEL_CAMPAIGN, TASK_PLAN_CAMPAIGN
from config.settings import Settings

# After a failed hand-over, the import asks again only this much later: each try at a broker
# that is gone costs its connection timeouts.
RETRY_SECONDS = 5.0

_apps: dict[str, Celery] = {}
_errors: dict[str, tuple[type[BaseException], ...]] = {}


class BrokerUnavailable(Exception):
    """The broker did not take the task: down, unreachable, or refusing the connection."""


def _app(settings: Settings) -> Celery:
    """One Celery client per broker URL and process."""
    if settings.broker_url not in _apps:
        _apps[settings.broker_url] = create_celery(settings, main="bulksms-producer")
    return _apps[settings.broker_url]


def connect(settings: Settings) -> None:
    """Open the broker connection now, so that the first task goes out without waiting for it
    (an import asks for planning on its first committed chunk)."""
    with _broker_errors(settings), _app(settings).producer_or_acquire() as producer:
        producer.connection.ensure_connection(max_retries=1)


def enqueue_plan(settings: Settings, campaign_id: int) -> None:
    """Ask a worker to plan the campaign into batches."""
    with _broker_errors(settings):
        _app(settings).send_task(TASK_PLAN_CAMPAIGN, args=(campaign_id,), queue=QUEUE_PLAN)


def enqueue_cancel(settings: Settings, campaign_id: int) -> None:
    """Ask a worker to cancel the campaign (it withdraws reservations at the provider)."""
    with _broker_errors(settings):
        _app(settings).send_task(TASK_CANCEL_CAMPAIGN, args=(campaign_id,), queue=QUEUE_PLAN)


def safe_url(url: str) -> str:
    """A broker URL without its password."""
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


@contextmanager
def _broker_errors(settings: Settings) -> Iterator[None]:
    """Every way the broker can fail (kombu's errors, the socket's, the transport's own, such
    as AMQP's access refused) as one BrokerUnavailable."""
    if settings.broker_url not in _errors:
        connection = _app(settings).connection_for_write()  # not connected: names its errors
        errors = (*connection.connection_errors, *connection.channel_errors)
        _errors[settings.broker_url] = (OSError, OperationalError, *errors)
    try:
        yield
    except _errors[settings.broker_url] as exc:
        where = safe_url(settings.broker_url)
        raise BrokerUnavailable(f"the broker at {where} cannot be reached ({exc})") from exc


class Handover:
    """Hands one stored campaign to the workers. A broker that went away does not fail the
    import: the campaign stays stored, `pending` says so, and beat queues its planning again
    once the broker is back (a campaign still queued, or imported but not planned)."""

    def __init__(self, settings: Settings, retry_seconds: float = RETRY_SECONDS) -> None:
        self.settings = settings
        self.retry_seconds = retry_seconds
        self.pending = False
        self.failure = ""
        self._failed_at = -retry_seconds

    def plan(self, campaign_id: int) -> None:
        """Ask for planning; after a failure, not again for `retry_seconds`."""
        self._hand(enqueue_plan, campaign_id)

    def cancel(self, campaign_id: int) -> None:
        """Ask for the campaign to be cancelled."""
        self._hand(enqueue_cancel, campaign_id)

    def _hand(self, enqueue: Callable[[Settings, int], None], campaign_id: int) -> None:
        if time.monotonic() - self._failed_at < self.retry_seconds:
            self.pending = True  # this ask is skipped: the last one failed a moment ago
            return
        try:
            enqueue(self.settings, campaign_id)
        except BrokerUnavailable as exc:
            self.pending, self.failure, self._failed_at = True, str(exc), time.monotonic()
        else:
            self.pending = False
