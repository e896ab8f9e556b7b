"""Prometheus metric families from what one scrape read of the stores (pure functions)."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeHistogramMetricFamily,
    GaugeMetricFamily,
    Metric,
)
from prometheus_client.utils import floatToGoString

from worker.db.metrics import InboxLag, Latencies, SendTotals
from worker.health.rules import BreakerState, Health
from worker.ratelimit.status import LimitState

# Upper bounds (s) of the result-latency buckets: SMS results come in seconds, polls and
# handsets that are off stretch them to minutes and hours.
LATENCY_BOUNDS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
LATENCY_WINDOW_SECONDS = 3600.0


def send_families(totals: Sequence[SendTotals]) -> list[Metric]:
    """Messages sent, accepted and refused per provider (counters: rows only ever add to them)."""
    sent = CounterMetricFamily(
        "bulksms_messages_sent",
        "Messages in requests the provider answered (taken or refused), per provider.",
        labels=["provider"],
    )
    accepted = CounterMetricFamily(
        "bulksms_messages_accepted",
        "Messages the provider took: members of its accepted requests less those it refused "
        "inside them.",
        labels=["provider"],
    )
    refused = CounterMetricFamily(
        "bulksms_messages_refused",
        "Messages the provider refused: members of requests it rejected, and recipients it "
        "refused inside an accepted request.",
        labels=["provider"],
    )
    for row in totals:
        sent.add_metric([row.provider], row.sent)
        accepted.add_metric([row.provider], row.accepted)
        refused.add_metric([row.provider], row.refused)
    return [sent, accepted, refused]


def recipient_family(
    statuses: Mapping[tuple[str, str], int], totals: Sequence[SendTotals]
) -> GaugeMetricFamily:
    """Recipients by status, per provider of their batch; `accepted` counts those a provider
    holds without a result yet."""
    family = GaugeMetricFamily(
        "bulksms_recipients",
        "Recipients by status (delivered, failed, retry_wait, expired, ...; accepted: at the "
        "provider, no result yet), per provider of the batch that carried them.",
        labels=["provider", "status"],
    )
    for (provider, status), count in sorted(statuses.items()):
        family.add_metric([provider, status], count)
    for row in totals:
        family.add_metric([row.provider, "accepted"], row.awaiting)
    return family


def latency_family(latencies: Sequence[Latencies]) -> GaugeHistogramMetricFamily:
    """The last hour's result latencies per provider. A gauge histogram: its buckets fall as
    results leave the window, so it is read as it stands, never through rate()."""
    family = GaugeHistogramMetricFamily(
        "bulksms_result_latency_seconds",
        "Seconds from a batch's send to each of its results, over results completed in the "
        "last hour, per provider (a window: read it without rate()).",
        labels=["provider"],
    )
    for row in latencies:
        pairs = zip(LATENCY_BOUNDS, row.at_most, strict=True)
        buckets = [(floatToGoString(bound), count) for bound, count in pairs]
        family.add_metric([row.provider], [*buckets, ("+Inf", row.count)], row.total_seconds)
    return family


def inbox_families(
    lags: Sequence[InboxLag], providers: Iterable[str], now: datetime
) -> list[Metric]:
    """Webhook calls stored but not applied yet, and the age of the oldest, per provider."""
    new = GaugeMetricFamily(
        "bulksms_inbox_new_events",
        "Webhook calls stored and not applied yet, per provider.",
        labels=["provider"],
    )
    age = GaugeMetricFamily(
        "bulksms_inbox_oldest_new_age_seconds",
        "Age of the oldest webhook call not applied yet, per provider (0: none waits).",
        labels=["provider"],
    )
    found = {lag.provider: lag for lag in lags}
    for provider in sorted(set(providers) | set(found)):
        lag = found.get(provider)
        new.add_metric([provider], lag.new_events if lag else 0)
        age.add_metric([provider], _age(lag, now))
    return [new, age]


def _age(lag: InboxLag | None, now: datetime) -> float:
    return 0.0 if lag is None else max(0.0, (now - lag.oldest_received_at).total_seconds())


def breaker_families(healths: Sequence[Health]) -> list[Metric]:
    """Each provider's breaker state (1 for the state it is in) and errors in its window."""
    state = GaugeMetricFamily(
        "bulksms_breaker_state",
        "Provider breaker state: 1 for the state it is in (closed: in use; open: out of use; "
        "half_open: one probe may go), 0 for the others.",
        labels=["provider", "state"],
    )
    errors = GaugeMetricFamily(
        "bulksms_breaker_errors",
        "Errors counted in the provider breaker's current window.",
        labels=["provider"],
    )
    for health in healths:
        for each in BreakerState:
            state.add_metric([health.provider, each.value], 1.0 if health.state is each else 0.0)
        errors.add_metric([health.provider], health.errors)
    return [state, errors]


def limiter_families(states: Mapping[str, LimitState]) -> list[Metric]:
    """Each provider's effective send rate, its ceiling and its requests in flight."""
    rate = GaugeMetricFamily(
        "bulksms_limiter_rate_per_second",
        "Effective send rate the shared limiter allows the provider now (requests/s; lowered "
        "by 429s, recovering to the ceiling).",
        labels=["provider"],
    )
    ceiling = GaugeMetricFamily(
        "bulksms_limiter_ceiling_per_second",
        "The provider's configured send rate (requests/s).",
        labels=["provider"],
    )
    in_flight = GaugeMetricFamily(
        "bulksms_limiter_in_flight", "Requests to the provider in flight now.", labels=["provider"]
    )
    for provider, limit in states.items():
        rate.add_metric([provider], limit.effective_rate)
        ceiling.add_metric([provider], limit.ceiling)
        in_flight.add_metric([provider], limit.in_flight)
    return [rate, ceiling, in_flight]


def queue_family(depths: Mapping[str, int]) -> GaugeMetricFamily:
    """Tasks ready in each queue."""
    family = GaugeMetricFamily(
        "bulksms_queue_depth",
        "Tasks ready in the broker queue (not those a worker holds).",
        labels=["queue"],
    )
    for queue, depth in depths.items():
        family.add_metric([queue], depth)
    return family


def source_family(up: Mapping[str, bool]) -> GaugeMetricFamily:
    """Whether each store could be read for this scrape (its families are missing if not)."""
    family = GaugeMetricFamily(
        "bulksms_metrics_source_up",
        "1 when this scrape could read the store (database, redis, broker), else 0 and its "
        "families are left out.",
        labels=["source"],
    )
    for source, ok in up.items():
        family.add_metric([source], 1.0 if ok else 0.0)
    return family
