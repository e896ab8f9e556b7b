"""`bulksms campaign list`: newest first, with status, provider(s), progress and rate."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, update
from typer.testing import CliRunner

from config import providers
from producer.campaign_list import campaign_row
from producer.campaigns import create_campaign
from producer.cli import app
from producer.sources import NumberList
from producer.spec import CampaignSpec
from producer.times import korea_label
from scripts.simulated import simulated_settings
from tests.envvars import settings_env
from worker.db import campaigns
from worker.db.models import Batch, Recipient
from worker.db.types import utcnow

NUMBERS = [f"0101234{n:04d}" for n in range(4)]


def make(pg_url: str, **fields: object) -> int:
    spec = CampaignSpec(sender="0212345678", template="hi", **{"name": "t", **fields})
    settings = simulated_settings(database_url=pg_url)
    return create_campaign(spec, NumberList(NUMBERS), settings, enqueue=False).campaign_id


def sent(engine, campaign_id: int, provider: str, outcomes: dict[str, str]) -> None:
    """One accepted batch of `provider` that carried the numbers, each with its outcome."""
    with engine.begin() as conn:
        batch = conn.execute(
            insert(Batch).values(campaign_id=campaign_id, provider=provider, message_type="SMS",
                                 status="accepted", recipient_count=len(outcomes),
                                 created_at=utcnow()).returning(Batch.id)
        ).scalar_one()  # fmt: skip
        for phone, status in outcomes.items():
            conn.execute(
                update(Recipient)
                .where(Recipient.campaign_id == campaign_id, Recipient.phone == phone)
                .values(status=status, batch_id=batch)
            )


@pytest.fixture()
def three(pg_url, engine) -> tuple[int, int, int]:
    """A SENS campaign, an auto one sent through two providers, a reservation ahead."""
    pinned = make(pg_url, name="pinned", provider="sens")
    sent(engine, pinned, "sens", {NUMBERS[0]: "delivered", NUMBERS[1]: "failed"})
    routed = make(pg_url, name="routed", provider="auto")
    sent(engine, routed, "nhn", {NUMBERS[0]: "delivered"})
    sent(engine, routed, "sens", {NUMBERS[1]: "delivered", NUMBERS[2]: "suppressed"})
    at = datetime.now(UTC) + timedelta(days=2)
    reserved = make(pg_url, name="reserved", provider="sens", send_at=at, schedule_mode="reserve")
    return pinned, routed, reserved


def test_rows_show_status_providers_progress_and_rate(engine, three):
    pinned, routed, reserved = three
    with engine.connect() as conn:
        listed = campaigns.listing(conn, 3)
    now = utcnow()
    rows = [campaign_row(item, now) for item in listed]
    with engine.connect() as conn:
        at = campaigns.get(conn, reserved).scheduled_at
    assert rows == [
        (str(reserved), "reserved", f"reserved for {korea_label(at)}", "sens", "0/4", "—"),
        (str(routed), "routed", "queued", "auto (nhn, sens)", "3/4", "100.0%"),
        (str(pinned), "pinned", "queued", "sens", "2/4", "50.0%"),
    ]


def test_the_command_lists_the_newest_first_within_the_limit(pg_url, three):
    _, routed, reserved = three
    env = {"BULKSMS_DATABASE_URL": pg_url}
    for entry in providers.ENTRIES:
        env.update(providers.simulator_env(entry))
    with settings_env(env):
        result = CliRunner().invoke(app, ["campaign", "list", "--limit", "2"])
    assert result.exit_code == 0, result.output
    ids = [line.split("│")[1].strip() for line in result.output.splitlines() if "│" in line]
    assert [found for found in ids if found] == [str(reserved), str(routed)]
    flat = " ".join(result.output.split())
    assert "auto (nhn," in flat and "pinned" not in flat
