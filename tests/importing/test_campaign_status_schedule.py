"""`campaign status`: the send time, a reservation ahead, provider outages."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, update
from typer.testing import CliRunner

from config import providers
from producer.campaigns import create_campaign
from producer.cli import app
from producer.outages import campaign_outages, outage_lines
from producer.report import campaign_report
from producer.sources import NumberList
from producer.spec import CampaignSpec
from producer.times import korea_label
from scripts.simulated import simulated_settings
from tests.envvars import settings_env
from worker.db.models import Batch, Campaign
from worker.db.types import utcnow
from worker.health.rules import BreakerState, Health

KST = timedelta(hours=9)
NO_REDIS = "redis://127.0.0.1:1/0"


def make(pg_url: str, **fields: object) -> int:
    spec = CampaignSpec(name="t", sender="0212345678", template="hi", provider="sens", **fields)
    settings = simulated_settings(database_url=pg_url)
    return create_campaign(spec, NumberList(["01012345678"]), settings, enqueue=False).campaign_id


def batch(engine, campaign_id: int, status: str, **fields: object) -> None:
    with engine.begin() as conn:
        conn.execute(insert(Batch).values(campaign_id=campaign_id, provider="sens",
                                          message_type="SMS", status=status, recipient_count=1,
                                          created_at=utcnow(), **fields))  # fmt: skip


def set_status(engine, campaign_id: int, status: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(Campaign).where(Campaign.id == campaign_id).values(status=status))


@pytest.fixture()
def reserved(pg_url, engine) -> tuple[int, datetime]:
    """A SENS reservation two days ahead whose one batch the provider accepted."""
    at = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)
    campaign_id = make(pg_url, send_at=at, schedule_mode="reserve")
    batch(engine, campaign_id, "accepted", reserve_time=at, reserve_status="READY",
          sent_at=utcnow(), first_id=None)  # fmt: skip
    set_status(engine, campaign_id, "awaiting_results")
    return campaign_id, at


def test_a_reservation_ahead_reads_as_reserved(engine, reserved):
    campaign_id, at = reserved
    report = campaign_report(engine, campaign_id)
    assert report.status == "awaiting_results"
    assert report.phase == f"reserved for {korea_label(at)}"


def test_status_shows_the_schedule_and_what_it_waits_for(pg_url, reserved):
    campaign_id, at = reserved
    env = {"BULKSMS_DATABASE_URL": pg_url, "BULKSMS_REDIS_URL": NO_REDIS}
    for entry in providers.ENTRIES:
        env.update(providers.simulator_env(entry))
    with settings_env(env):
        result = CliRunner().invoke(app, ["campaign", "status", str(campaign_id)])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    shown = [
        f"campaign {campaign_id} 't' via sens: reserved for {korea_label(at)}, 0/1 final",
        f"recipients/s send time {korea_label(at)}: reserved at the provider (batches READY 1) ",
        f"provider health unknown: Redis at {NO_REDIS} did not answer",
        "waiting: waiting for results of 1 batch delivered by attempt",
    ]
    places = [flat.find(part) for part in shown]
    assert -1 not in places and places == sorted(places), flat


def test_a_campaign_waiting_in_the_database_reads_as_scheduled(pg_url, engine):
    at = (datetime.now(UTC) + timedelta(hours=5)).replace(second=0, microsecond=0)
    report = campaign_report(engine, make(pg_url, send_at=at))
    assert report.status == "scheduled"
    assert report.phase == f"scheduled for {korea_label(at)}"


def test_an_open_breaker_names_the_provider_and_the_batches_waiting(pg_url, engine):
    campaign_id = make(pg_url)
    for _ in range(2):
        batch(engine, campaign_id, "planned", first_id=None)
    batch(engine, campaign_id, "retry", next_attempt_at=utcnow() + timedelta(minutes=5))
    report = campaign_report(engine, campaign_id)
    opened = datetime(2026, 12, 2, 9, 12, tzinfo=UTC) - KST  # 09:12 in Korea
    reason = "20 errors in 60 s (last: server, HTTP 503)"
    healths = [
        Health("sens", BreakerState.OPEN, reason, opened.timestamp()),
        Health("nhn"),
    ]
    assert campaign_outages(report, healths, opened + timedelta(minutes=30)) == [
        "NAVER Cloud SENS unreachable since 09:12 KST (breaker open: 20 errors in 60 s "
        "(last: server, HTTP 503)), 3 batches waiting"
    ]
    probing = Health("sens", BreakerState.HALF_OPEN, reason, opened.timestamp())
    assert campaign_outages(report, [probing], opened)[0].startswith(
        "NAVER Cloud SENS being probed since 09:12 KST (breaker half-open after: 20 errors"
    )


def test_a_finished_campaign_has_no_outage_to_show(pg_url, engine):
    campaign_id = make(pg_url)
    set_status(engine, campaign_id, "completed")
    settings = simulated_settings(database_url=pg_url, redis_url=NO_REDIS)
    assert outage_lines(settings, campaign_report(engine, campaign_id)) == []
