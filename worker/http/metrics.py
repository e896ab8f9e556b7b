"""GET /metrics: figures read at scrape time from the shared stores, not counted per process."""

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta

import redis
from prometheus_client.core import Metric
from prometheus_client.registry import Collector, CollectorRegistry
from sqlalchemy import Engine

from config import providers
from config.broker import queue_depths
from config.names import QUEUE_PLAN, QUEUE_POLL
from config.settings import Settings
from worker.db import metrics as queries
from worker.db.engine import get_engine
from worker.health.breaker import read_health
from worker.health.rules import BreakerPolicy
from worker.http import families
from worker.ratelimit.keys import LimitKeys
from worker.ratelimit.policy import LimitPolicy
from worker.ratelimit.status import read_state

log = logging.getLogger(__name__)
# Every queue a worker reads: plan, poll and each provider's send queue.
QUEUES = (QUEUE_PLAN, QUEUE_POLL, *(entry.queue for entry in providers.ENTRIES))
# A store that does not answer within this long is reported down for the scrape.
STORE_TIMEOUT_SECONDS = 2.0


class StoreCollector(Collector):
    """Every figure of /metrics. The workers are many prefork processes, so none of them holds
    the totals: a scrape reads them from the database, Redis and the broker, and the scrapes
    of the next `service.metrics_cache_seconds` get that read again."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        client: redis.Redis,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.client = client
        self.clock = clock
        self._lock = threading.Lock()
        self._families: list[Metric] = []
        self._read_at = -math.inf

    def collect(self) -> Iterator[Metric]:
        """The cached families, read again once they are older than the cache allows."""
        with self._lock:  # scrapes that arrive together wait for one read
            if time.monotonic() - self._read_at >= self.settings.service.metrics_cache_seconds:
                self._families = self._read()
                self._read_at = time.monotonic()
            return iter(self._families)

    def _read(self) -> list[Metric]:
        """Each store in turn; one that fails is reported down and the others still count."""
        now = datetime.fromtimestamp(self.clock(), UTC)
        readers = {"database": self._database, "redis": self._redis, "broker": self._broker}
        found: list[Metric] = []
        up: dict[str, bool] = {}
        for source, read in readers.items():
            try:
                found.extend(read(now))
                up[source] = True
            except Exception as exc:
                log.warning("metrics: %s not read: %s: %s", source, type(exc).__name__, exc)
                up[source] = False
        return [*found, families.source_family(up)]

    def _database(self, now: datetime) -> list[Metric]:
        since = now - timedelta(seconds=families.LATENCY_WINDOW_SECONDS)
        with self.engine.connect() as conn:
            totals = _padded(queries.send_totals(conn), self._offered())
            statuses = queries.recipients_by_status(conn)
            latencies = queries.result_latencies(conn, since, families.LATENCY_BOUNDS)
            lags = queries.inbox_lag(conn)
        return [
            *families.send_families(totals),
            families.recipient_family(statuses, totals),
            families.latency_family(latencies),
            *families.inbox_families(lags, self._hooked(), now),
        ]

    def _redis(self, now: datetime) -> list[Metric]:
        policy = BreakerPolicy.from_settings(self.settings.breaker)
        names = self._offered()
        healths = [read_health(self.client, name, policy, now.timestamp()) for name in names]
        limits = {name: read_state(self.client, LimitKeys.of(name), self._limit_policy(name))
                  for name in names}  # fmt: skip
        return [*families.breaker_families(healths), *families.limiter_families(limits)]

    def _broker(self, _now: datetime) -> list[Metric]:
        return [families.queue_family(queue_depths(self.settings, QUEUES))]

    def _offered(self) -> list[str]:
        return [entry.name for entry in providers.offered(self.settings)]

    def _hooked(self) -> list[str]:
        """Offered providers that report by webhook: their inbox lag is always shown."""
        offered = providers.offered(self.settings)
        return [entry.name for entry in offered if entry.capabilities.webhooks]

    def _limit_policy(self, provider: str) -> LimitPolicy:
        return LimitPolicy.from_limits(providers.settings_of(self.settings, provider).limits)


def registry(settings: Settings) -> CollectorRegistry:
    """A registry holding the store collector alone (no figures of this process's own)."""
    client = redis.Redis.from_url(
        settings.redis_url,
        socket_timeout=STORE_TIMEOUT_SECONDS,
        socket_connect_timeout=STORE_TIMEOUT_SECONDS,
    )
    # auto_describe off: registering must not read the stores.
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(StoreCollector(settings, get_engine(settings.database_url), client))
    return scrape


def _padded(totals: Sequence[queries.SendTotals], names: Sequence[str]) -> list[queries.SendTotals]:
    """`totals` with zeros for offered providers that sent nothing yet, so their counters exist
    from the first scrape."""
    seen = {row.provider for row in totals}
    return [*totals, *(queries.SendTotals(name, 0, 0, 0, 0) for name in names if name not in seen)]
