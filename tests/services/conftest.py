"""Fixtures for service tests: campaigns in the test schema and a simulator in a thread."""

import csv
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine

from config.settings import PollSettings, SendSettings
from producer.campaigns import create_campaign
from producer.sources import CsvSource, NumberList
from producer.spec import CampaignSpec
from scripts.simulated import sens_settings, simulated_settings
from simulator.config import SimConfig
from simulator.sens.faults import FaultSettings
from simulator.server import RunningSimulator, start_in_thread
from tests.conftest import fresh_schema
from worker.db.engine import get_engine
from worker.providers.sens.client import SensClient
from worker.services.dispatch import Dispatcher
from worker.services.planning import plan_campaign

SEED = 7


@pytest.fixture()
def pg_url() -> Iterator[str]:
    """Each service test gets a schema of its own, so no test sees another's batches."""
    with fresh_schema() as url:
        yield url


@pytest.fixture()
def engine(pg_url: str) -> Engine:
    """The engine of this test's schema."""
    return get_engine(pg_url)


@pytest.fixture()
def simulator() -> Iterator[RunningSimulator]:
    """A SENS simulator on a free port whose messages complete within 0.15 s."""
    config = SimConfig(port=0, faults=FaultSettings(seed=SEED, complete_delay=0.1))
    with start_in_thread(config) as running:
        yield running


@pytest.fixture()
def sens_client(simulator: RunningSimulator) -> SensClient:
    """The real SENS client pointed at the simulator."""
    return SensClient(sens_settings(simulator.base_url, read_timeout=5))


@pytest.fixture()
def dispatcher(engine: Engine, sens_client: SensClient) -> Dispatcher:
    """Sending with short waits."""
    send = SendSettings(retry_backoff_seconds=[0.0], max_attempts=3)
    return Dispatcher(engine, sens_client, send, PollSettings(first_delay_seconds=0))


@pytest.fixture()
def make_campaign(pg_url: str) -> Callable[..., int]:
    """Create a campaign through the producer (not enqueued); returns its id."""

    def make(numbers: list[str], template: str = "hello", **spec: object) -> int:
        full = CampaignSpec(name="t", sender="0212345678", template=template, **spec)
        settings = simulated_settings(database_url=pg_url)
        return create_campaign(full, NumberList(numbers), settings, enqueue=False).campaign_id

    return make


def numbers(count: int, start: int = 0, prefix: str = "0109") -> list[str]:
    """Distinct valid mobile numbers."""
    return [f"{prefix}{start + i:07d}" for i in range(count)]


@pytest.fixture()
def make_csv_campaign(pg_url: str, tmp_path: Path) -> Callable[..., int]:
    """Create a campaign from CSV rows (phone first, then variables); returns its id."""

    def make(header: list[str], rows: list[list[str]], template: str) -> int:
        path = tmp_path / "recipients.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([header, *rows])
        spec = CampaignSpec(name="t", sender="0212345678", template=template)
        settings = simulated_settings(database_url=pg_url)
        return create_campaign(spec, CsvSource(path), settings, enqueue=False).campaign_id

    return make


def planned(engine: Engine, campaign_id: int) -> list[int]:
    """Plan a campaign into batches of 100; their ids."""
    published: list = []
    plan_campaign(engine, campaign_id, lambda _: 100, timedelta(hours=1), published.extend)
    return [job.batch_id for job in published]


def sim_call(simulator: RunningSimulator, method: str, path: str, body: dict | None = None) -> dict:
    """One call to the simulator's control API (/_sim/...), its JSON answer."""
    answer = requests.request(method, f"{simulator.base_url}{path}", json=body, timeout=5)
    answer.raise_for_status()
    return answer.json()


def sends_per_number(simulator: RunningSimulator) -> Counter[int]:
    """How many numbers the simulator took how many times ({1: 100}: a hundred, once each)."""
    return Counter(sim_call(simulator, "GET", "/_sim/stats")["sent_to"].values())
