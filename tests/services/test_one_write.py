"""Each recipient row is written once between its import and its result (issue: batches as
ranges). A trigger in the test's own schema counts every UPDATE of every recipient row while
the real planner, dispatcher and poller run against the simulator."""

import time
from datetime import timedelta

from sqlalchemy import Engine, select, text

from config.settings import PollSettings, ResendSettings, SendSettings
from tests.services.conftest import numbers
from worker.db import campaigns
from worker.db.models import Recipient
from worker.services.dispatch import Dispatcher
from worker.services.planning import plan_campaign
from worker.services.polling import Poller

COUNTING = """
CREATE TABLE recipient_writes (recipient_id bigint, old_status text, new_status text);
CREATE FUNCTION count_recipient_write() RETURNS trigger AS $$
BEGIN
  INSERT INTO recipient_writes VALUES (OLD.id, OLD.status, NEW.status);
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER recipient_written AFTER UPDATE ON recipient
  FOR EACH ROW EXECUTE FUNCTION count_recipient_write();
"""


def _count_writes(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text(COUNTING))


def _writes(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(text("SELECT * FROM recipient_writes")).all()


def test_planning_and_sending_write_no_recipient_row_and_a_result_writes_it_once(
    engine, make_campaign, sens_client
) -> None:
    phones = numbers(350, start=90_000)
    campaign_id = make_campaign(phones)
    _count_writes(engine)
    published: list = []
    plan_campaign(engine, campaign_id, lambda _: 100, timedelta(hours=1), published.extend)
    dispatcher = Dispatcher(
        engine, sens_client, SendSettings(), PollSettings(first_delay_seconds=0)
    )
    for job in published:
        dispatcher.send_batch(job.batch_id)
    assert _writes(engine) == []  # four requests accepted, no recipient row touched
    with engine.connect() as conn:
        assert campaigns.status_counts(conn, campaign_id) == {"accepted": 350}
    time.sleep(0.4)
    poll = PollSettings(first_delay_seconds=0, backoff_seconds=[0.0])
    Poller(engine, sens_client, poll, ResendSettings(max_attempts=1)).poll_due()
    writes = _writes(engine)
    assert len(writes) == 350 and len({w.recipient_id for w in writes}) == 350
    assert {w.old_status for w in writes} == {"pending"}
    assert {w.new_status for w in writes} <= {"delivered", "failed"}
    with engine.connect() as conn:
        unwritten = conn.execute(
            select(Recipient.id).where(
                Recipient.campaign_id == campaign_id, Recipient.batch_id.is_(None)
            )
        ).all()
    assert unwritten == []  # every result row names the batch that carried it
