"""The /metrics families built from what a scrape read: names, labels, HELP and the arithmetic
of sent, accepted and refused, in a text the Prometheus parser reads back."""

from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from worker.db.metrics import InboxLag, Latencies, SendTotals
from worker.health.rules import BreakerState, Health
from worker.http import families
from worker.ratelimit.status import LimitState

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NHN = SendTotals("nhn", in_taken_requests=1500, in_refused_requests=100, refused_inside=3,
                 awaiting=40)  # fmt: skip


class _Fixed:
    def __init__(self, metrics: list) -> None:
        self.metrics = metrics

    def collect(self) -> list:
        return self.metrics


def exposed(metrics: list) -> tuple[dict[tuple[str, tuple], float], dict[str, str]]:
    """Every sample by (name, sorted labels), and every family's HELP, as a scraper reads them."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Fixed(metrics))
    text = generate_latest(registry).decode()
    samples, helps = {}, {}
    for family in text_string_to_metric_families(text):
        helps[family.name] = family.documentation
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples, helps


def test_sent_is_accepted_plus_refused() -> None:
    assert (NHN.sent, NHN.accepted, NHN.refused) == (1600, 1497, 103)
    samples, helps = exposed(families.send_families([NHN]))
    provider = (("provider", "nhn"),)
    assert samples[("bulksms_messages_sent_total", provider)] == 1600
    assert samples[("bulksms_messages_accepted_total", provider)] == 1497
    assert samples[("bulksms_messages_refused_total", provider)] == 103
    assert all(helps.values())


def test_recipients_by_status_with_those_awaiting_a_result() -> None:
    statuses = {("nhn", "delivered"): 1400, ("nhn", "failed"): 60}
    samples, _ = exposed([families.recipient_family(statuses, [NHN])])
    by_status = {dict(labels)["status"]: value for (_, labels), value in samples.items()}
    assert by_status == {"delivered": 1400, "failed": 60, "accepted": 40}


def test_latency_is_a_cumulative_gauge_histogram_of_the_window() -> None:
    bounds = families.LATENCY_BOUNDS
    at_most = tuple(min(10, 3 + i) for i in range(len(bounds)))
    samples, helps = exposed([families.latency_family([Latencies("sens", at_most, 12, 95.5)])])
    name = "bulksms_result_latency_seconds"
    assert samples[(f"{name}_bucket", (("le", "1.0"), ("provider", "sens")))] == 3
    assert samples[(f"{name}_bucket", (("le", "3600.0"), ("provider", "sens")))] == 10
    assert samples[(f"{name}_bucket", (("le", "+Inf"), ("provider", "sens")))] == 12
    assert samples[(f"{name}_gcount", (("provider", "sens"),))] == 12
    assert samples[(f"{name}_gsum", (("provider", "sens"),))] == 95.5
    assert "last hour" in helps[name]


def test_inbox_lag_is_shown_for_every_hooked_provider() -> None:
    lags = [InboxLag("apiplex", 4, NOW - timedelta(seconds=75))]
    samples, _ = exposed(families.inbox_families(lags, ["apiplex", "nhn"], NOW))
    assert samples[("bulksms_inbox_new_events", (("provider", "apiplex"),))] == 4
    assert samples[("bulksms_inbox_oldest_new_age_seconds", (("provider", "apiplex"),))] == 75
    assert samples[("bulksms_inbox_new_events", (("provider", "nhn"),))] == 0
    assert samples[("bulksms_inbox_oldest_new_age_seconds", (("provider", "nhn"),))] == 0


def test_breaker_state_is_one_for_the_state_it_is_in() -> None:
    healths = [Health("sens"), Health("nhn", BreakerState.OPEN, "credentials refused", 1.0)]
    samples, _ = exposed(families.breaker_families(healths))
    states = {
        (dict(labels)["provider"], dict(labels)["state"]): value
        for (name, labels), value in samples.items()
        if name == "bulksms_breaker_state"
    }
    assert states[("sens", "closed")] == 1 and states[("sens", "open")] == 0
    assert states[("nhn", "open")] == 1 and states[("nhn", "closed")] == 0
    assert sum(states.values()) == 2


def test_limiter_queue_and_source_families() -> None:
    limit = LimitState("nhn", 5.0, 10.0, 2, 1, 3.0)
    metrics = [
        *families.limiter_families({"nhn": limit}),
        families.queue_family({"plan": 3, "send.nhn": 0}),
        families.source_family({"database": True, "broker": False}),
    ]
    samples, helps = exposed(metrics)
    assert samples[("bulksms_limiter_rate_per_second", (("provider", "nhn"),))] == 5.0
    assert samples[("bulksms_limiter_ceiling_per_second", (("provider", "nhn"),))] == 10.0
    assert samples[("bulksms_limiter_in_flight", (("provider", "nhn"),))] == 2
    assert samples[("bulksms_queue_depth", (("queue", "plan"),))] == 3
    assert samples[("bulksms_metrics_source_up", (("source", "broker"),))] == 0
    assert all(helps.values())


def test_the_grafana_dashboard_reads_only_exposed_metrics() -> None:
    import json
    import re
    from pathlib import Path

    healths = [Health("sens")]
    every = [
        *families.send_families([NHN]),
        families.recipient_family({}, [NHN]),
        families.latency_family([Latencies("nhn", (0,) * len(families.LATENCY_BOUNDS), 0, 0.0)]),
        *families.inbox_families([], ["nhn"], NOW),
        *families.breaker_families(healths),
        *families.limiter_families({"nhn": LimitState("nhn", 1.0, 1.0, 0, 0, None)}),
        families.queue_family({"plan": 0}),
        families.source_family({"database": True}),
    ]
    exposed_names = {name for name, _ in exposed(every)[0]}
    dashboard = Path(__file__).resolve().parents[2] / "deploy" / "grafana-bulksms.json"
    panels = json.loads(dashboard.read_text("utf-8"))["panels"]
    expressions = " ".join(t["expr"] for p in panels for t in p["targets"])
    used = set(re.findall(r"bulksms_\w+", expressions))
    assert used and used <= exposed_names, used - exposed_names
