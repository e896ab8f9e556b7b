"""Polling applies the simulator's results in bulk, idempotently, and completes the campaign."""

import time
from datetime import timedelta

import requests
from sqlalchemy import Engine, select

from config.settings import PollSettings, ResendSettings
from simulator.outcomes import code_for
from tests.services.conftest import SEED, numbers
from worker.db import campaigns
from worker.db import results as db_results
from worker.db.members import BatchRef
from worker.db.models import Batch, Campaign, Recipient
from worker.providers.base import SentRequest
from worker.services.planning import plan_campaign
from worker.services.polling import Poller


def _send_all(engine: Engine, campaign_id: int, dispatcher) -> list[int]:
    published: list[tuple[int, str]] = []
    plan_campaign(engine, campaign_id, lambda _: 100, timedelta(hours=1), published.extend)
    for batch_id, *_ in published:
        dispatcher.send_batch(batch_id)
    return [batch_id for batch_id, *_ in published]


def _poller(engine: Engine, sens_client, max_attempts: int = 1) -> Poller:
    poll = PollSettings(first_delay_seconds=0, backoff_seconds=[0.0])
    return Poller(engine, sens_client, poll, ResendSettings(max_attempts=max_attempts))


def test_results_make_every_recipient_final_with_the_simulators_code(
    engine, make_campaign, dispatcher, sens_client
) -> None:
    phones = numbers(250, start=20_000)
    campaign_id = make_campaign(phones)
    _send_all(engine, campaign_id, dispatcher)
    time.sleep(0.4)  # the simulator completes messages within 0.15 s
    round_ = _poller(engine, sens_client).poll_due()
    assert round_.results_applied == 250 and round_.completed_batches == 3
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Recipient.phone, Recipient.status, Recipient.result_code, Recipient.message_id
            ).where(Recipient.campaign_id == campaign_id)
        ).all()
        status = conn.execute(select(Campaign.status).where(Campaign.id == campaign_id)).scalar()
    for phone, state, code, message_id in rows:
        assert code == code_for(SEED, phone)
        assert state == ("delivered" if code == "0" else "failed")
        assert message_id
    assert status == "completed"


def test_applying_the_same_results_twice_changes_nothing(
    engine, make_campaign, dispatcher, sens_client
) -> None:
    campaign_id = make_campaign(numbers(10, start=21_000))
    [batch_id] = _send_all(engine, campaign_id, dispatcher)
    time.sleep(0.4)
    with engine.connect() as conn:
        request_id = conn.execute(select(Batch.request_id).where(Batch.id == batch_id)).scalar()
    results = [r for r in sens_client.results_for_request(SentRequest(request_id)) if r.completed]
    rows = [
        {
            "b_phone": r.to,
            "b_status": "delivered",
            "b_code": r.code,
            "b_family": r.family,
            "b_outcome": "delivered",
            "b_message_id": r.message_id,
            "b_telco": r.telco,
            "b_done": r.complete_time,
            "b_next": None,
        }
        for r in results
    ]
    with engine.begin() as conn:
        batch = BatchRef.of(conn.execute(select(Batch).where(Batch.id == batch_id)).one())
        rows = [{**row, **db_results.target(batch)} for row in rows]
        assert db_results.apply(conn, rows) == {batch_id: 10}
    with engine.begin() as conn:
        assert db_results.apply(conn, rows) == {}


def test_messages_still_processing_stay_accepted_and_are_polled_again(
    engine, make_campaign, dispatcher, sens_client, simulator
) -> None:
    requests.post(f"{simulator.base_url}/_sim/faults", json={"pending_rate": 1.0}, timeout=5)
    campaign_id = make_campaign(numbers(5, start=22_000))
    [batch_id] = _send_all(engine, campaign_id, dispatcher)
    poll = PollSettings(first_delay_seconds=0, backoff_seconds=[60])
    poller = Poller(engine, sens_client, poll, ResendSettings())
    round_ = poller.poll_due()
    assert round_.results_applied == 0 and round_.completed_batches == 0
    with engine.connect() as conn:
        batch = conn.execute(select(Batch).where(Batch.id == batch_id)).one()
        assert campaigns.status_counts(conn, campaign_id) == {"accepted": 5}
    assert batch.status == "accepted" and batch.poll_count == 1
    assert batch.next_poll_at > batch.sent_at + timedelta(seconds=40)
