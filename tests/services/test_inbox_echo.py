"""API PLEX names no request in its webhook records, only the key we echo (batch:attempt):
results find their batch by it, wait for a batch not yet accepted, and prove a send whose answer
was lost (real PostgreSQL; API PLEX's own record shape)."""

import json
from collections import Counter
from datetime import timedelta

from sqlalchemy import Engine, select, update

from config.settings import PollSettings, ResendSettings, SendSettings
from scripts.simulated import provider_settings
from tests.fake_provider import FakeProvider
from worker.db import campaigns, inbox
from worker.db.models import Batch, InboxEvent
from worker.providers.apiplex.client import ApiplexClient
from worker.providers.errors import TransportError
from worker.services.dispatch import Dispatcher, SendOutcome
from worker.services.inbox import Intake
from worker.services.planning import plan_campaign
from worker.services.reconciling import Reconciler

APIPLEX = ApiplexClient(provider_settings("apiplex", "http://127.0.0.1:9"))  # no HTTP made
NUMBERS = ["+819012345678", "+14155550123"]
SEND = SendSettings(retry_backoff_seconds=[0.0], lookup_delay_seconds=0.0)
DELIVERED = {"groupId": 3, "groupName": "DELIVERED", "id": 5, "name": "DELIVERED_TO_HANDSET"}


def _planned(engine: Engine, make_campaign) -> tuple[int, int]:
    campaign_id = make_campaign(NUMBERS, provider="apiplex")
    published: list = []
    plan_campaign(engine, campaign_id, lambda _: 100, timedelta(hours=1), published.extend)
    return campaign_id, published[0].batch_id


def _record(batch_id: int, to: str, status: dict) -> str:
    record = {"messageId": f"m-{to}", "to": to, "status": status,
              "echo_to_webhook": f"{batch_id}:1", "doneAt": "2026-12-01T10:00:00Z"}  # fmt: skip
    return json.dumps({"results": [record]})


def _deliver(engine: Engine, batch_id: int) -> None:
    with engine.begin() as conn:
        for number in NUMBERS:
            inbox.add(conn, "apiplex", _record(batch_id, number, DELIVERED))


def _batch_status(engine: Engine, batch_id: int) -> str:
    with engine.connect() as conn:
        return conn.execute(select(Batch.status).where(Batch.id == batch_id)).scalar_one()


def _due_now(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(update(InboxEvent).values(due_at=None))


def intake(engine: Engine) -> Intake:
    return Intake(engine, APIPLEX, ResendSettings())


def test_echoed_results_find_their_batch_once_accepted(engine, make_campaign) -> None:
    campaign_id, batch_id = _planned(engine, make_campaign)
    _deliver(engine, batch_id)  # they outran the send's own answer
    assert intake(engine).apply_new() == Counter(held=2)
    fake = FakeProvider("apiplex", lambda _: ("5", "result"))
    dispatcher = Dispatcher(engine, fake, SEND, PollSettings())
    assert dispatcher.send_batch(batch_id) is SendOutcome.ACCEPTED
    _due_now(engine)
    assert intake(engine).apply_new() == Counter(applied=2, results=2)
    _deliver(engine, batch_id)  # delivered again: nothing changes
    assert intake(engine).apply_new() == Counter(applied=2)
    with engine.connect() as conn:
        assert campaigns.status_counts(conn, campaign_id) == {"delivered": 2}
    assert _batch_status(engine, batch_id) == "completed"


def test_a_lost_answer_is_proved_sent_by_its_webhooks_and_never_sent_again(
    engine, make_campaign
) -> None:
    campaign_id, batch_id = _planned(engine, make_campaign)
    fake = FakeProvider("apiplex", lambda _: ("5", "result"))
    fake.fail_next(TransportError("read timed out", provider="apiplex", maybe_sent=True))
    poll = PollSettings(webhook_first_delay_seconds=600)
    assert Dispatcher(engine, fake, SEND, poll).send_batch(batch_id) is SendOutcome.UNSURE
    # API PLEX cannot be asked: the lookup waits for webhook results instead of giving up.
    waiting = Reconciler(engine, APIPLEX, SEND, poll, pushed=True)
    assert waiting.reconcile_due() == Counter(waiting=1)
    _deliver(engine, batch_id)
    assert intake(engine).apply_new() == Counter(applied=2, results=2, adopted=1)
    assert _batch_status(engine, batch_id) == "completed"
    with engine.connect() as conn:
        assert campaigns.status_counts(conn, campaign_id) == {"delivered": 2}
    assert len(fake.sends) == 1  # never sent again


def test_without_webhook_results_by_their_time_the_recipients_are_unknown(
    engine, make_campaign
) -> None:
    campaign_id, batch_id = _planned(engine, make_campaign)
    fake = FakeProvider("apiplex", lambda _: ("5", "result"))
    fake.fail_next(TransportError("read timed out", provider="apiplex", maybe_sent=True))
    poll = PollSettings(webhook_first_delay_seconds=0)
    assert Dispatcher(engine, fake, SEND, poll).send_batch(batch_id) is SendOutcome.UNSURE
    assert Reconciler(engine, APIPLEX, SEND, poll, pushed=True).reconcile_due() == Counter(
        unknown=1
    )
    with engine.connect() as conn:
        assert campaigns.status_counts(conn, campaign_id) == {"unknown": 2}
