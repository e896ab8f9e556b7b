"""A campaign created with an idempotency key is created once: created again, or by creates
racing each other, the first campaign comes back and nothing is imported or queued twice."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import redis
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from config.broker import queue_depth
from config.names import QUEUE_PLAN
from config.settings import Settings
from producer.campaigns import ImportReport, create_campaign
from producer.cli import app
from producer.sources import ListTable, NumberList
from producer.spec import CampaignSpec
from scripts.simulated import simulated_settings
from scripts.stack import simulators_env
from tests.conftest import broker_redis_url
from tests.envvars import settings_env
from tests.services.conftest import numbers
from worker.db.models import Campaign, Recipient


@pytest.fixture()
def settings(pg_url: str) -> Settings:
    """The test's schema, and a broker no worker reads (emptied), so its queue can be counted."""
    url = broker_redis_url()
    redis.Redis.from_url(url).flushdb()
    return simulated_settings(database_url=pg_url, broker_url=url)


def spec(key: str | None = "order-4711") -> CampaignSpec:
    return CampaignSpec(name="keyed", sender="0212345678", template="hi", idempotency_key=key)


def counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        campaigns = conn.execute(select(func.count()).select_from(Campaign)).scalar_one()
        recipients = conn.execute(select(func.count()).select_from(Recipient)).scalar_one()
    return campaigns, recipients


def test_a_second_create_with_the_key_returns_the_first_campaign(
    settings: Settings, engine: Engine
) -> None:
    first = create_campaign(spec(), NumberList(numbers(5)), settings)
    asked = queue_depth(settings, QUEUE_PLAN)
    again = create_campaign(spec(), NumberList(numbers(9, start=100)), settings)
    assert (first.existing, again.existing) == (False, True)
    assert again.campaign_id == first.campaign_id
    assert (again.imported, again.read) == (5, 0)
    assert counts(engine) == (1, 5)
    assert queue_depth(settings, QUEUE_PLAN) == asked  # no planning asked for again


def test_other_keys_and_no_key_make_campaigns_of_their_own(
    settings: Settings, engine: Engine
) -> None:
    made = [create_campaign(spec(key), NumberList(numbers(2)), settings) for key in ("a", "b")]
    made += [create_campaign(spec(None), NumberList(numbers(2)), settings) for _ in range(2)]
    assert len({report.campaign_id for report in made}) == 4
    assert not any(report.existing for report in made)


@dataclass(frozen=True)
class Gated:
    """Numbers whose table opens only once every racing create has got that far: each has
    looked for the key and found nothing, so all of them race to insert it."""

    numbers: list[str]
    gate: threading.Barrier

    def variables(self) -> set[str]:
        return set()

    @contextmanager
    def open(self) -> Iterator[ListTable]:
        self.gate.wait(timeout=30)
        yield ListTable(self.numbers)


def test_racing_creates_with_one_key_make_one_campaign(settings: Settings, engine: Engine) -> None:
    racers = 4
    source = Gated(numbers(50), threading.Barrier(racers))
    reports: list[ImportReport] = []

    def create() -> None:
        reports.append(create_campaign(spec(), source, settings))

    threads = [threading.Thread(target=create) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(reports) == racers
    assert len({report.campaign_id for report in reports}) == 1
    assert sorted(report.existing for report in reports) == [False] + [True] * (racers - 1)
    assert counts(engine) == (1, 50)
    # One import's asks: on its first committed chunk, and once it ended.
    assert queue_depth(settings, QUEUE_PLAN) == 2


def test_the_cli_says_the_campaign_already_existed(settings: Settings, engine: Engine) -> None:
    values = {
        **simulators_env(),
        "BULKSMS_DATABASE_URL": settings.database_url,
        "BULKSMS_BROKER_URL": settings.broker_url,
    }
    command = ["campaign", "create", "--numbers", "01012345678,01012345679", "--from"]
    command += ["0212345678", "--template", "hi", "--idempotency-key", "cli-1"]
    with settings_env(values):
        first = CliRunner().invoke(app, command)
        again = CliRunner().invoke(app, command)
    assert first.exit_code == again.exit_code == 0, first.output + again.output
    with engine.connect() as conn:
        campaign_id = conn.execute(select(Campaign.id)).scalar_one()
    assert again.output.strip() == (
        f"campaign {campaign_id} already existed under this idempotency key (recipients: 2): "
        "nothing was imported again"
    )
    assert counts(engine) == (1, 2)


def test_a_key_longer_than_the_column_is_refused() -> None:
    with pytest.raises(ValueError, match="at most 100 characters"):
        spec("k" * 101)
