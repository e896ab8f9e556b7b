"""GET /metrics of the stack's HTTP service after a campaign through the real workers: the
counters agree with the simulator's own tally and the campaign report, unauthenticated like
/health, in the Prometheus text format."""

from collections.abc import Iterator

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from producer.campaigns import create_campaign
from producer.report import campaign_report
from producer.sources import NumberList
from producer.spec import CampaignSpec
from tests.integration.conftest import Stack, own_stack, wait_until

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/2"
COUNT = 300
Samples = dict[tuple[str, frozenset], float]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with own_stack(tmp_path_factory.mktemp("stack-metrics"), REDIS_URL) as running:
        yield running


@pytest.fixture(scope="module")
def campaign_id(stack: Stack) -> int:
    numbers = [f"010{7_000_000 + i:08d}" for i in range(COUNT)]
    spec = CampaignSpec(name="metrics", sender="0212345678", template="hello", provider="sens")
    created = create_campaign(spec, NumberList(numbers)).campaign_id
    done = wait_until(lambda: campaign_report(stack.engine, created).status == "completed", 120)
    assert done, stack.logs()
    return created


def scrape(stack: Stack) -> Samples:
    answer = requests.get(f"{stack.serve_url}/metrics", timeout=15)
    assert answer.status_code == 200
    # The Prometheus text format: 0.0.4, or 1.0.0 from newer prometheus-client releases.
    assert answer.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def test_the_send_counters_match_the_simulators_tally(stack: Stack, campaign_id: int) -> None:
    taken = stack.sim_stats("sens")["messages_accepted"]  # first sends and re-sends
    assert taken > COUNT

    def counted() -> bool:
        samples = scrape(stack)
        found = [value(samples, f"bulksms_messages_{kind}_total", provider="sens")
                 for kind in ("sent", "accepted", "refused")]  # fmt: skip
        return found == [taken, taken, 0]

    assert wait_until(counted, 15), scrape(stack)


def test_recipients_by_status_match_the_campaign_report(stack: Stack, campaign_id: int) -> None:
    report = campaign_report(stack.engine, campaign_id)
    samples = scrape(stack)
    for status, count in report.by_status.items():
        assert value(samples, "bulksms_recipients", provider="sens", status=status) == count
    assert value(samples, "bulksms_recipients", provider="sens", status="accepted") == 0


def test_every_result_of_the_hour_is_in_the_latency_histogram(
    stack: Stack, campaign_id: int
) -> None:
    taken = stack.sim_stats("sens")["messages_accepted"]
    samples = scrape(stack)
    name = "bulksms_result_latency_seconds"
    assert value(samples, f"{name}_gcount", provider="sens") == taken
    assert value(samples, f"{name}_bucket", provider="sens", le="+Inf") == taken
    assert value(samples, f"{name}_bucket", provider="sens", le="3600.0") == taken
    # SENS reports completion to the second, and the simulator completes within half a second
    # of its answer: on a loaded machine every latency may round to 0 (never below: clamped).
    assert 0 <= value(samples, f"{name}_gsum", provider="sens") < taken * 60


def test_breakers_limits_queues_and_inbox_are_read(stack: Stack, campaign_id: int) -> None:
    samples = scrape(stack)
    for source in ("database", "redis", "broker"):
        assert value(samples, "bulksms_metrics_source_up", source=source) == 1
    for provider in ("sens", "nhn", "apiplex"):
        assert value(samples, "bulksms_breaker_state", provider=provider, state="closed") == 1
        ceiling = value(samples, "bulksms_limiter_ceiling_per_second", provider=provider)
        assert value(samples, "bulksms_limiter_rate_per_second", provider=provider) == ceiling
    for queue in ("plan", "poll", "send.sens", "send.nhn", "send.apiplex"):
        assert value(samples, "bulksms_queue_depth", queue=queue) is not None
    assert value(samples, "bulksms_inbox_new_events", provider="apiplex") == 0
