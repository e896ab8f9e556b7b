"""/metrics's collector over a real schema after campaigns sent by the real dispatcher and
poller (tests/fake_provider.py plays the providers), with Redis and the broker on database 2."""

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
import redis
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, insert

from config import providers
from config.celery import create_celery
from config.names import TASK_SEND_BATCH
from config.settings import PollSettings, ResendSettings, SendSettings, Settings
from scripts.simulated import simulated_settings
from tests.fake_provider import FakeProvider
from tests.isolation import redis_test_url
from tests.services.conftest import numbers
from worker.db import inbox
from worker.db.engine import get_engine
from worker.db.models import InboxEvent
from worker.db.types import utcnow
from worker.health.breaker import Breaker
from worker.health.rules import BreakerPolicy
from worker.http.metrics import StoreCollector
from worker.providers.base import SendReceipt, SendRequest
from worker.providers.errors import Rejected
from worker.ratelimit.keys import LimitKeys
from worker.ratelimit.limiter import RedisLimiter
from worker.ratelimit.policy import LimitPolicy
from worker.services.dispatch import Dispatcher, SendOutcome
from worker.services.planning import plan_campaign
from worker.services.polling import Poller

REDIS_URL = os.environ.get("BULKSMS_TEST_METRICS_REDIS_URL", "redis://127.0.0.1:6379/2")


def redis_url() -> str:
    """REDIS_URL, or under mutation testing this process's own database."""
    return redis_test_url(REDIS_URL)


NHN_NUMBERS = numbers(1500, start=70_000)
SENS_NUMBERS = numbers(150, start=80_000)
INVALID, OPTED_OUT, UNDELIVERED = NHN_NUMBERS[3], NHN_NUMBERS[4], NHN_NUMBERS[7]
REFUSE = {INVALID: ("-2019", "api"), OPTED_OUT: ("-6001", "api")}
Samples = dict[tuple[str, frozenset], float]


def delivered(number: str) -> tuple[str, str]:
    return ("3001", "reception") if number == UNDELIVERED else ("1000", "reception")


class AnswerLikeTheProviders(FakeProvider):
    """Refusals in a send answer carry no completion time, as NHN's and API PLEX's do
    (tests/unit/test_refusal_times.py); results read later carry the provider's."""

    def _send(self, request: SendRequest) -> SendReceipt:
        receipt = super()._send(request)
        refused = tuple(replace(result, complete_time=None) for result in receipt.refused)
        return replace(receipt, refused=refused)


@pytest.fixture()
def client() -> Iterator[redis.Redis]:
    """Redis database 2, empty: the breakers, the limiter and the broker of this test."""
    connection = redis.Redis.from_url(redis_url())
    connection.flushdb()
    yield connection
    connection.flushdb()


@pytest.fixture()
def settings(pg_url: str) -> Settings:
    return simulated_settings(database_url=pg_url, redis_url=redis_url(), broker_url=redis_url())


def _send(engine: Engine, settings: Settings, campaign_id: int, client: FakeProvider) -> None:
    """Plan the campaign and send each batch through the real dispatcher."""
    published: list[tuple[int, str]] = []
    size = lambda name: providers.batch_size(settings, name)  # noqa: E731
    plan_campaign(engine, campaign_id, size, timedelta(hours=1), published.extend)
    dispatcher = Dispatcher(engine, client, SendSettings(), PollSettings(first_delay_seconds=0),
                            ResendSettings(backoff_seconds=[600.0]))  # fmt: skip
    for batch_id, *_ in published:
        assert dispatcher.send_batch(batch_id) in (SendOutcome.ACCEPTED, SendOutcome.REJECTED)


def scrape(collector: StoreCollector) -> Samples:
    """What a scraper reads: every sample by name and labels."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    text = generate_latest(registry).decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


@pytest.fixture()
def campaigns(engine: Engine, settings: Settings, make_campaign: Callable[..., int]) -> None:
    """NHN: 1,500 recipients in two requests, two refused inside them, all polled. SENS: 150
    in two requests, the first refused whole, the second at the provider without a result."""
    nhn = AnswerLikeTheProviders("nhn", delivered, REFUSE)
    _send(engine, settings, make_campaign(NHN_NUMBERS, provider="nhn"), nhn)
    Poller(engine, nhn, PollSettings(mode="request_id"), ResendSettings()).poll_due()
    sens = AnswerLikeTheProviders("sens", delivered)
    sens.fail_next(Rejected("bad request", provider="sens", status=400))
    _send(engine, settings, make_campaign(SENS_NUMBERS, provider="sens"), sens)


def test_the_counters_after_two_campaigns(engine, settings, client, campaigns) -> None:
    samples = scrape(StoreCollector(settings, engine, client))
    expected = {
        "bulksms_messages_sent_total": {"nhn": 1500, "sens": 150, "apiplex": 0},
        "bulksms_messages_accepted_total": {"nhn": 1498, "sens": 50, "apiplex": 0},
        "bulksms_messages_refused_total": {"nhn": 2, "sens": 100, "apiplex": 0},
    }
    for name, by_provider in expected.items():
        found = {provider: value(samples, name, provider=provider) for provider in by_provider}
        assert found == by_provider, name


def test_recipients_by_status_and_provider(engine, settings, client, campaigns) -> None:
    samples = scrape(StoreCollector(settings, engine, client))
    found = {
        (dict(labels)["provider"], dict(labels)["status"]): count
        for (name, labels), count in samples.items()
        if name == "bulksms_recipients" and count
    }
    assert found == {
        ("nhn", "delivered"): 1497,
        ("nhn", "failed"): 3,  # two refused inside the request, one undelivered
        ("sens", "failed"): 100,  # the refused request's members
        ("sens", "accepted"): 50,  # at the provider, no result yet
    }


def test_result_latency_counts_the_results_of_the_last_hour(
    engine, settings, client, campaigns
) -> None:
    samples = scrape(StoreCollector(settings, engine, client))
    name = "bulksms_result_latency_seconds"
    # The refusals inside the request are not results with a time: 1,498 of the 1,500.
    assert value(samples, f"{name}_gcount", provider="nhn") == 1498
    assert value(samples, f"{name}_bucket", provider="nhn", le="+Inf") == 1498
    assert value(samples, f"{name}_bucket", provider="nhn", le="3600.0") == 1498
    assert 0 <= value(samples, f"{name}_gsum", provider="nhn") < 1498 * 60
    assert (f"{name}_gcount", frozenset({("provider", "sens")})) not in samples


def test_breaker_limiter_queues_and_inbox(engine, settings, client) -> None:
    policy = BreakerPolicy.from_settings(settings.breaker)
    Breaker(client, "nhn", policy).record_failure("auth", "credentials refused (HTTP 401)")
    limits = LimitPolicy.from_limits(settings.nhn.limits)
    seconds, micros = client.time()
    lowered = RedisLimiter(client).slow_down(LimitKeys.of("nhn"), limits, seconds * 10**6 + micros)
    app = create_celery(settings)
    for _ in range(3):
        app.send_task(TASK_SEND_BATCH, args=(0, "nhn", 1, ""), queue="send.nhn")
    now = utcnow()
    with engine.begin() as conn:
        rows = [{"provider": "apiplex", "body": "{}", "received_at": now - timedelta(seconds=s)}
                for s in (90, 30)]  # fmt: skip
        conn.execute(insert(InboxEvent), rows)
        inbox.mark(conn, inbox.add_many(conn, [("apiplex", "{}")]), inbox.APPLIED, now)
    samples = scrape(StoreCollector(settings, engine, client))
    assert value(samples, "bulksms_breaker_state", provider="nhn", state="open") == 1
    assert value(samples, "bulksms_breaker_state", provider="nhn", state="closed") == 0
    assert value(samples, "bulksms_breaker_state", provider="sens", state="closed") == 1
    assert lowered is not None and lowered < limits.ceiling
    assert value(samples, "bulksms_limiter_rate_per_second", provider="nhn") == pytest.approx(
        lowered
    )
    assert value(samples, "bulksms_limiter_rate_per_second", provider="sens") == limits.ceiling
    assert value(samples, "bulksms_queue_depth", queue="send.nhn") == 3
    assert value(samples, "bulksms_queue_depth", queue="plan") == 0
    assert value(samples, "bulksms_inbox_new_events", provider="apiplex") == 2
    # The 90 s old event, plus the seconds this test took (a minute covers a loaded machine).
    age = value(samples, "bulksms_inbox_oldest_new_age_seconds", provider="apiplex")
    assert 90 <= age < 90 + 60
    for source in ("database", "redis", "broker"):
        assert value(samples, "bulksms_metrics_source_up", source=source) == 1


def test_a_scrape_is_reused_for_the_cache_time_and_a_dead_store_only_drops_its_own(
    engine, settings, client
) -> None:
    cached = StoreCollector(settings, engine, client)
    first = scrape(cached)
    with engine.begin() as conn:
        inbox.add_many(conn, [("apiplex", "{}")])
    assert scrape(cached) == first  # within service.metrics_cache_seconds: not read again
    fresh = settings.model_copy(update={"service": settings.service.model_copy(
        update={"metrics_cache_seconds": 0.0})})  # fmt: skip
    assert value(scrape(StoreCollector(fresh, engine, client)), "bulksms_inbox_new_events",
                 provider="apiplex") == 1  # fmt: skip
    gone = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    broken = scrape(StoreCollector(fresh.model_copy(update={"broker_url": "redis://127.0.0.1:1/0"}),
                                   engine, gone))  # fmt: skip
    assert value(broken, "bulksms_metrics_source_up", source="redis") == 0
    assert value(broken, "bulksms_metrics_source_up", source="broker") == 0
    assert value(broken, "bulksms_messages_sent_total", provider="nhn") == 0
    assert not any(name.startswith("bulksms_breaker") for name, _ in broken)


def test_the_figures_read_the_same_on_sqlite(tmp_path, client) -> None:
    from producer.campaigns import create_campaign
    from producer.sources import NumberList
    from producer.spec import CampaignSpec
    from worker.db import migrate

    url = f"sqlite:///{tmp_path / 'metrics.db'}"
    migrate.upgrade(url)
    settings = simulated_settings(database_url=url, redis_url=redis_url(), broker_url=redis_url())
    engine = get_engine(url)
    spec = CampaignSpec(name="t", sender="0212345678", template="hello", provider="nhn")
    campaign_id = create_campaign(spec, NumberList(NHN_NUMBERS[:20]), settings,
                                  enqueue=False).campaign_id  # fmt: skip
    nhn = AnswerLikeTheProviders("nhn", delivered, REFUSE)
    _send(engine, settings, campaign_id, nhn)
    Poller(engine, nhn, PollSettings(mode="request_id"), ResendSettings()).poll_due()
    samples = scrape(StoreCollector(settings, engine, client))
    assert value(samples, "bulksms_messages_sent_total", provider="nhn") == 20
    assert value(samples, "bulksms_messages_refused_total", provider="nhn") == 2
    assert value(samples, "bulksms_recipients", provider="nhn", status="delivered") == 17
    name = "bulksms_result_latency_seconds"
    assert value(samples, f"{name}_gcount", provider="nhn") == 18
    assert value(samples, f"{name}_bucket", provider="nhn", le="3600.0") == 18
    assert 0 <= value(samples, f"{name}_gsum", provider="nhn") < 18 * 60
