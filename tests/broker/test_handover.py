"""The producer's hand-over to a real broker that goes away and comes back."""

import time

import redis

from config.settings import Settings
from producer.queueing import Handover
from tests.own_broker import free_port, own_redis


def test_a_broker_gone_leaves_the_handover_pending_until_an_ask_gets_through() -> None:
    port = free_port()
    with own_redis(port) as (url, broker):
        handover = Handover(Settings(_env_file=None, broker_url=url), retry_seconds=1.0)
        handover.plan(7)
        assert not handover.pending
        assert redis.Redis.from_url(url).llen("plan") == 1
        broker.kill()
        broker.wait()
        handover.plan(7)
        assert handover.pending and "cannot be reached" in handover.failure
        started = time.monotonic()
        handover.plan(7)  # a moment after a failure: not tried, so it costs nothing
        assert handover.pending and time.monotonic() - started < 0.05
    with own_redis(port) as (url, _):
        time.sleep(1.0)
        handover.plan(7)
        assert not handover.pending
        assert redis.Redis.from_url(url).llen("plan") == 1
