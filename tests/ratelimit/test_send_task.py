"""The send task and the gate together, called in-process (no broker, no eager mode)."""

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from config import providers
from config.provider_settings import ProviderLimits
from config.settings import PollSettings, SendSettings, get_settings
from producer.campaigns import create_campaign
from producer.sources import NumberList
from producer.spec import CampaignSpec
from scripts.simulated import sens_settings, simulated_settings
from simulator.config import SimConfig
from simulator.sens.faults import FaultSettings
from simulator.server import start_in_thread
from tests.conftest import fresh_schema
from worker.db.engine import get_engine
from worker.db.models import Batch
from worker.domain.messages import ContentType, MessageType
from worker.providers.base import OutgoingMessage, SendRequest
from worker.providers.errors import SlowDown
from worker.providers.sens.client import SensClient
from worker.ratelimit.gate import Gate
from worker.services.dispatch import Dispatcher, SendOutcome
from worker.services.planning import plan_campaign
from worker.tasks import sending


class Requeued(Exception):
    """Stands in for celery.exceptions.Retry."""


@pytest.fixture()
def planned_batch(monkeypatch) -> Iterator[tuple[str, int]]:
    with fresh_schema() as url:
        monkeypatch.setenv("BULKSMS_DATABASE_URL", url)
        for key, value in providers.simulator_env(providers.SENS).items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        spec = CampaignSpec(name="t", sender="0212345678", template="hi")
        numbers = NumberList([f"0107{i:07d}" for i in range(5)])
        report = create_campaign(spec, numbers, simulated_settings(database_url=url), enqueue=False)
        published: list[tuple[int, str]] = []
        engine = get_engine(url)
        plan_campaign(
            engine, report.campaign_id, lambda _: 100, timedelta(hours=1), published.extend
        )
        yield url, published[0][0]
    get_settings.cache_clear()


def test_a_long_wait_requeues_without_claiming_the_batch(planned_batch, limiter, monkeypatch):
    url, batch_id = planned_batch
    limits = ProviderLimits(rate_per_second=0.2, burst=1, max_wait_seconds=1)
    gate = Gate("sens", limits, limiter, sleep=lambda _: None)
    taken = time.monotonic()
    with gate.admitted(1):  # someone else took the only token for the next 5 s
        pass
    monkeypatch.setattr(sending, "gate", lambda provider: gate)
    countdowns: list[float] = []

    def retry(countdown: float) -> Exception:
        countdowns.append(countdown)
        return Requeued()

    monkeypatch.setattr(sending.send_batch_task, "retry", retry)
    with pytest.raises(Requeued):
        sending.send_batch_task(batch_id, "sens")
    # The next token is 5 s after the one taken, less what passed since (a loaded machine
    # has taken 58 ms between the two).
    passed = time.monotonic() - taken
    [countdown] = countdowns
    assert 5.0 - passed - 0.01 <= countdown <= 5.0 + 0.01
    with get_engine(url).connect() as conn:
        row = conn.execute(select(Batch.status, Batch.send_attempts).where(Batch.id == batch_id))
        assert tuple(row.one()) == ("planned", 0)


def test_a_batch_already_sent_spends_no_token(planned_batch, limiter, monkeypatch):
    url, batch_id = planned_batch
    with get_engine(url).begin() as conn:
        conn.execute(Batch.__table__.update().values(status="accepted"))
    monkeypatch.setattr(sending, "gate", lambda provider: pytest.fail("asked the limiter"))
    assert sending.send_batch_task(batch_id, "sens") == "skipped"


def test_limits_are_looked_up_by_provider() -> None:
    assert sending.limits("sens") == get_settings().sens.limits
    with pytest.raises(LookupError):
        sending.limits("nobody")


def test_the_dispatcher_reports_a_429_to_the_limiter(planned_batch) -> None:
    url, batch_id = planned_batch
    faults = FaultSettings(rate_limit=1, rate_burst=1)
    with start_in_thread(SimConfig(port=0, faults=faults)) as sim:
        client = SensClient(sens_settings(sim.base_url))
        client.send(_one_message())  # spends the simulator's only token
        reported: list[SlowDown] = []
        dispatcher = Dispatcher(
            get_engine(url), client, SendSettings(), PollSettings(), on_slow_down=reported.append
        )
        assert dispatcher.send_batch(batch_id) is SendOutcome.RETRY
    assert [(e.status, e.code) for e in reported] == [(429, "420")]


def _one_message() -> SendRequest:
    message = OutgoingMessage(to="01099990000", content="hi")
    return SendRequest(MessageType.SMS, ContentType.COMM, "0212345678", [message])
