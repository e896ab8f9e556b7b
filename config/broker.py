"""What differs between the brokers (Redis, RabbitMQ): transport options and queue depths."""

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from celery import Celery
from kombu import Connection

from config.settings import Settings

REDIS_SCHEMES = frozenset({"redis", "rediss", "redis+socket", "sentinel"})
# Long waits live in the database, not in ETAs, so this only bounds how long Redis keeps a
# task whose worker vanished before it hands the task out again.
REDIS_VISIBILITY_TIMEOUT = 3600


def is_redis(url: str) -> bool:
    """True when the broker URL names Redis (else an AMQP broker such as RabbitMQ)."""
    return urlsplit(url).scheme in REDIS_SCHEMES


def transport_options(url: str) -> dict[str, Any]:
    """Redis re-delivers an unacknowledged task only after its visibility timeout; AMQP
    re-delivers as soon as the consumer's connection drops and has no such option."""
    return {"visibility_timeout": REDIS_VISIBILITY_TIMEOUT} if is_redis(url) else {}


def queue_depth(app_or_settings: Celery | Settings, queue_name: str) -> int:
    """Messages ready in `queue_name`: not those a worker holds unacknowledged; 0 for a queue
    that does not exist (Redis keeps no empty queue, so there the two are one)."""
    return queue_depths(app_or_settings, [queue_name])[queue_name]


def queue_depths(app_or_settings: Celery | Settings, queue_names: Iterable[str]) -> dict[str, int]:
    """`queue_depth` of each queue, over one broker connection."""
    with _connection(app_or_settings) as connection:
        return {name: _depth(connection, name) for name in queue_names}


def _depth(connection: Connection, queue_name: str) -> int:
    # A channel each: on AMQP a passive declare of a missing queue closes its channel.
    with connection.channel() as channel:
        try:
            declared = channel.queue_declare(queue=queue_name, passive=True)
        except connection.channel_errors:
            return 0
        return int(declared.message_count)


def _connection(app_or_settings: Celery | Settings) -> Connection:
    """A new broker connection: the app's own, or one to the settings' broker URL."""
    if isinstance(app_or_settings, Celery):
        return app_or_settings.connection_for_read()
    url = app_or_settings.broker_url
    return Connection(url, transport_options=transport_options(url))
