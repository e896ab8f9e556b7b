"""`campaign watch` waits through re-send gaps and says what it waits for."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, update
from typer.testing import CliRunner

from config import providers
from producer.campaigns import create_campaign
from producer.cli import app
from producer.sources import NumberList
from producer.spec import CampaignSpec
from producer.times import korea_clock
from producer.waits import Waits, waiting_for
from scripts.simulated import simulated_settings
from tests.envvars import settings_env
from worker.db.models import Batch, Campaign, Recipient
from worker.db.types import utcnow

NUMBERS = [f"0101234{n:04d}" for n in range(4)]


def make(pg_url: str) -> int:
    spec = CampaignSpec(name="t", sender="0212345678", template="hi", provider="sens")
    settings = simulated_settings(database_url=pg_url)
    return create_campaign(spec, NumberList(NUMBERS), settings, enqueue=False).campaign_id


def watch(pg_url: str, campaign_id: int, *extra: str) -> tuple[int, str]:
    env = {"BULKSMS_DATABASE_URL": pg_url}
    for entry in providers.ENTRIES:
        env.update(providers.simulator_env(entry))
    with settings_env(env):
        result = CliRunner().invoke(app, ["campaign", "watch", str(campaign_id), *extra])
    return result.exit_code, " ".join(result.output.split())


def test_re_sends_and_results_are_waited_for_and_named(pg_url, engine):
    campaign_id = make(pg_url)
    due = (utcnow() + timedelta(minutes=5)).replace(microsecond=0)
    with engine.begin() as conn:
        conn.execute(insert(Batch).values(campaign_id=campaign_id, provider="sens",
                                          message_type="SMS", status="accepted", recipient_count=1,
                                          created_at=utcnow(), sent_at=utcnow()))  # fmt: skip
        conn.execute(
            update(Recipient)
            .where(Recipient.campaign_id == campaign_id, Recipient.phone.in_(NUMBERS[:3]))
            .values(status="retry_wait", attempts=1, next_attempt_at=due)
        )
        conn.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id)
            .values(status="awaiting_results", planned_at=utcnow())
        )
    code, output = watch(pg_url, campaign_id, "--timeout", "1")
    assert code == 1
    assert "error" not in output
    waited = (
        f"waiting for results of 1 batch; 3 recipients wait for a re-send at {korea_clock(due)}"
    )
    assert output.endswith(
        f"stopped watching campaign {campaign_id} after 1 s: it is awaiting_results, 0/4 final "
        f"({waited}); it carries on without the watch: `bulksms campaign watch {campaign_id}` "
        "follows it again"
    )


def test_a_finished_campaign_ends_the_watch_at_once(pg_url, engine):
    campaign_id = make(pg_url)
    with engine.begin() as conn:
        conn.execute(
            update(Recipient).where(Recipient.campaign_id == campaign_id).values(status="delivered")
        )
        conn.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id)
            .values(status="completed", completed_at=utcnow())
        )
    code, output = watch(pg_url, campaign_id)
    assert code == 0, output
    assert f"campaign {campaign_id} 't' via sens: completed, 4/4 final" in output
    assert "stopped watching" not in output


def test_what_a_campaign_waits_for_reads_in_order():
    now = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 10:00 in Korea
    waits = Waits(
        resends=1,
        resend_at=now + timedelta(minutes=42),
        batches={"planned": 2, "sending": 1, "retry": 1, "unsure": 1, "accepted": 5},
        retry_at=now + timedelta(days=1),
    )
    assert waiting_for(waits, now) == [
        "3 batches to send",
        "1 batch to send again at 12-03 10:00 KST",
        "1 batch whose lost answer is being looked up",
        "waiting for results of 5 batches",
        "1 recipient waits for a re-send at 10:42 KST",
    ]
    assert waiting_for(Waits(), now) == []
