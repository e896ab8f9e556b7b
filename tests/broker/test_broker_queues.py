"""The queues on both brokers: durable, each task in its own queue, and how deep each is
(config/broker.py), against the real Redis and RabbitMQ."""

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import redis
from celery import Celery
from kombu import Connection, Exchange, Queue

from config import broker, names
from config.celery import create_celery
from config.settings import Settings
from tests.conftest import BROKER_REDIS_URL


@pytest.fixture(params=["redis", "rabbitmq"])
def broker_url(request: pytest.FixtureRequest) -> str:
    """An empty broker: a Redis database flushed, or this run's RabbitMQ virtual host."""
    if request.param == "redis":
        redis.Redis.from_url(BROKER_REDIS_URL).flushdb()
        return BROKER_REDIS_URL
    return request.getfixturevalue("rabbitmq_url")


@pytest.fixture()
def settings(broker_url: str) -> Settings:
    return Settings(_env_file=None, broker_url=broker_url)


@pytest.fixture()
def app(settings: Settings) -> Iterator[Celery]:
    """The project's Celery app on that broker, its queues emptied first and afterwards."""
    app = create_celery(settings)
    app.control.purge()
    yield app
    app.control.purge()


@pytest.fixture()
def scratch(broker_url: str) -> Iterator[Queue]:
    """A durable queue no worker reads, deleted afterwards."""
    name = f"depth-{uuid.uuid4().hex[:8]}"
    queue = Queue(name, Exchange(name), routing_key=name, durable=True)
    with Connection(broker_url) as conn:
        queue(conn.default_channel).declare()
        yield queue
        queue(conn.default_channel).delete()


def _publish(broker_url: str, queue: Queue, count: int) -> None:
    with Connection(broker_url) as conn:
        producer = conn.Producer()
        for number in range(count):
            producer.publish({"n": number}, exchange=queue.exchange, routing_key=queue.name)


def test_queue_depth_counts_the_messages_ready(
    broker_url: str, settings: Settings, scratch: Queue
) -> None:
    assert broker.queue_depth(settings, scratch.name) == 0
    _publish(broker_url, scratch, 3)
    assert broker.queue_depth(settings, scratch.name) == 3
    assert broker.queue_depth(create_celery(settings), scratch.name) == 3


def test_queue_depth_leaves_out_a_message_taken_but_not_acknowledged(
    broker_url: str, settings: Settings, scratch: Queue
) -> None:
    _publish(broker_url, scratch, 2)
    with Connection(broker_url) as conn:
        message = scratch(conn.default_channel).get(no_ack=False)
        assert message is not None
        assert broker.queue_depth(settings, scratch.name) == 1
        message.requeue()
    assert broker.queue_depth(settings, scratch.name) == 2


def test_a_queue_that_does_not_exist_is_empty(settings: Settings) -> None:
    assert broker.queue_depth(settings, f"never-{uuid.uuid4().hex[:8]}") == 0


def test_each_task_lands_in_its_own_queue_alone(app: Celery) -> None:
    queues = [queue.name for queue in app.conf.task_queues]
    for queue in queues:
        app.send_task(names.TASK_PLAN_CAMPAIGN, args=(1,), queue=queue)
    assert {queue: broker.queue_depth(app, queue) for queue in queues} == dict.fromkeys(queues, 1)
    app.send_task(names.TASK_SEND_BATCH, args=(1, "nhn", 10, "0212345678"))
    assert broker.queue_depth(app, names.send_queue("nhn")) == 2


def test_every_queue_is_durable_with_persistent_messages(app: Celery) -> None:
    for queue in app.conf.task_queues:
        assert queue.durable and queue.exchange.durable and not queue.auto_delete, queue
        assert queue.routing_key == queue.name
    assert app.conf.task_default_delivery_mode == "persistent"


@pytest.mark.skipif(shutil.which("rabbitmqctl") is None, reason="needs rabbitmqctl")
def test_rabbitmq_keeps_the_queues_durable(rabbitmq_url: str) -> None:
    app = create_celery(Settings(_env_file=None, broker_url=rabbitmq_url))
    with app.connection_for_write() as conn:
        for queue in app.conf.task_queues:
            queue(conn.default_channel).declare()
    vhost = urlsplit(rabbitmq_url).path[1:] or "/"
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_queues", "-p", vhost, "--no-table-headers", "name", "durable"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    durable = dict(line.split("\t") for line in listed.splitlines() if line)
    assert {queue.name: durable[queue.name] for queue in app.conf.task_queues} == dict.fromkeys(
        [queue.name for queue in app.conf.task_queues], "true"
    )


def test_the_visibility_timeout_goes_to_redis_only() -> None:
    on_redis = create_celery(Settings(_env_file=None, broker_url="redis://127.0.0.1:6379/0"))
    on_rabbitmq = create_celery(Settings(_env_file=None, broker_url="amqp://guest@rabbit//"))
    assert on_redis.conf.broker_transport_options == {"visibility_timeout": 3600}
    assert on_rabbitmq.conf.broker_transport_options == {}
    assert broker.is_redis("rediss://h:6380/0") and not broker.is_redis("pyamqp://h//")
