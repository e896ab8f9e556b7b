"""Provider outages holding a campaign up: breakers not closed, with its batches waiting."""

import time
from collections.abc import Iterable
from datetime import UTC, datetime

import redis

from config import providers
from config.settings import Settings
from producer.queueing import safe_url
from producer.report import CampaignReport
from producer.times import korea_clock
from worker.db.types import utcnow
from worker.domain.statuses import CampaignStatus
from worker.health.breaker import read_health
from worker.health.rules import BreakerPolicy, BreakerState, Health

DONE = (CampaignStatus.COMPLETED, CampaignStatus.CANCELLED)
# A status view must answer: a Redis that does not, quickly, is reported as such.
REDIS_TIMEOUT_SECONDS = 2.0


def outage_lines(settings: Settings, report: CampaignReport) -> list[str]:
    """One line per provider of the open campaign whose breaker is open or half-open."""
    if report.status in DONE:
        return []
    names = carriers(report, settings)
    try:
        healths = read_healths(settings, names)
    except redis.RedisError as exc:
        where = safe_url(settings.redis_url)
        return [f"provider health unknown: Redis at {where} did not answer ({exc})"]
    return campaign_outages(report, healths, utcnow())


def carriers(report: CampaignReport, settings: Settings) -> list[str]:
    """The providers the campaign goes through: its own, or for `auto` every one routing may
    choose and any that holds a batch of it."""
    if report.provider != providers.AUTO:
        return [report.provider]
    held = [name for name in report.waits.unsent_by_provider if name in providers.REGISTRY]
    return list(dict.fromkeys([*providers.route_order(settings), *held]))


def read_healths(settings: Settings, names: list[str]) -> list[Health]:
    """Each provider's breaker as of now (redis.RedisError when Redis does not answer)."""
    client = redis.Redis.from_url(settings.redis_url, socket_timeout=REDIS_TIMEOUT_SECONDS,
                                  socket_connect_timeout=REDIS_TIMEOUT_SECONDS)  # fmt: skip
    policy = BreakerPolicy.from_settings(settings.breaker)
    now = time.time()
    try:
        return [read_health(client, name, policy, now) for name in names]
    finally:
        client.close()


def campaign_outages(report: CampaignReport, healths: Iterable[Health], now: datetime) -> list[str]:
    """The outage line of each breaker not closed, with the campaign's batches waiting on it."""
    waiting = report.waits.unsent_by_provider
    return [
        outage_line(health, waiting.get(health.provider, 0), now)
        for health in healths
        if health.state is not BreakerState.CLOSED
    ]


def outage_line(health: Health, waiting: int, now: datetime) -> str:
    """`NAVER Cloud SENS unreachable since 09:12 KST (breaker open: 20 errors in 60 s …),
    42 batches waiting`; a half-open breaker lets one probe through since the time shown."""
    title = providers.get(health.provider).title
    since = korea_clock(datetime.fromtimestamp(health.since, UTC), now)
    batches = f"{waiting:,} batch{'es' if waiting != 1 else ''} waiting"
    if health.state is BreakerState.HALF_OPEN:
        state, since = f"half-open after: {health.reason}", f"being probed since {since}"
    else:
        state, since = f"open: {health.reason}", f"unreachable since {since}"
    return f"{title} {since} (breaker {state}), {batches}"
