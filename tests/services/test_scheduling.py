"""Scheduled campaigns: waiting in the database, or reserved at SENS; cancelling withdraws."""

import logging
from datetime import timedelta

import pytest
import requests
from pydantic import ValidationError
from sqlalchemy import select, update

from config.settings import PollSettings, ResendSettings
from producer.spec import CampaignSpec
from simulator.outcomes import code_for
from tests.services.conftest import SEED, numbers
from worker.db import exporting
from worker.db.models import Batch, Campaign, Recipient
from worker.db.types import utcnow
from worker.providers.sens.client import SensClient
from worker.services import reservations
from worker.services.cancelling import cancel_campaign
from worker.services.dispatch import SendOutcome
from worker.services.planning import plan_campaign
from worker.services.polling import Poller
from worker.services.release import release_due_batches, start_due_campaigns

HOUR = timedelta(hours=1)


def _plan(engine, campaign_id: int) -> list[int]:
    published: list[tuple[int, str]] = []
    plan_campaign(engine, campaign_id, lambda _: 100, HOUR, published.extend)
    return [batch_id for batch_id, *_ in published]


def _campaign(engine, campaign_id: int):
    with engine.connect() as conn:
        return conn.execute(select(Campaign).where(Campaign.id == campaign_id)).one()


def _batch(engine, batch_id: int):
    with engine.connect() as conn:
        return conn.execute(select(Batch).where(Batch.id == batch_id)).one()


def _statuses(engine, campaign_id: int) -> set[str]:
    """The statuses recipients stand in (an unwritten member reads as its batch stands)."""
    with engine.connect() as conn:
        return {row.status for row in exporting.outcomes(conn, campaign_id)}


def _sim(simulator, path: str, **body: object) -> dict:
    answer = requests.post(f"{simulator.base_url}{path}", json=body, timeout=5)
    answer.raise_for_status()
    return answer.json()


def _stats(simulator) -> dict:
    return requests.get(f"{simulator.base_url}/_sim/stats", timeout=5).json()


def test_a_waiting_campaign_stays_in_the_database_until_its_time(engine, make_campaign) -> None:
    # An hour ahead, and the test says when "now" is: no sleep, no lead to outrun.
    send_at = (utcnow() + HOUR).replace(microsecond=0)
    campaign_id = make_campaign(numbers(3, start=80_000), send_at=send_at)
    assert _campaign(engine, campaign_id).status == "scheduled"
    assert start_due_campaigns(engine) == []  # the real clock: an hour early
    assert start_due_campaigns(engine, send_at - timedelta(microseconds=1)) == []
    assert start_due_campaigns(engine, send_at) == [campaign_id]
    assert start_due_campaigns(engine, send_at + HOUR) == []  # started once
    assert _campaign(engine, campaign_id).status == "queued"


def test_a_reservation_needs_ten_minutes_of_lead() -> None:
    soon = utcnow() + timedelta(minutes=9)
    with pytest.raises(ValidationError, match="reserves at least 10 min ahead"):
        CampaignSpec(
            name="t",
            sender="0212345678",
            template="x",
            send_at=soon,
            schedule_mode="reserve",
            provider="sens",
        )
    with pytest.raises(ValidationError, match="--reserve needs a send time"):
        CampaignSpec(name="t", sender="0212345678", template="x", schedule_mode="reserve")


def test_a_reserved_campaign_is_sent_now_and_completes_after_its_time(
    engine, make_campaign, dispatcher, sens_client, simulator
) -> None:
    at = (utcnow() + timedelta(minutes=12)).replace(second=0, microsecond=0)
    phones = numbers(5, start=81_000)
    campaign_id = make_campaign(phones, send_at=at, schedule_mode="reserve")
    [batch_id] = _plan(engine, campaign_id)
    assert dispatcher.send_batch(batch_id) is SendOutcome.ACCEPTED
    batch = _batch(engine, batch_id)
    assert (batch.reserve_time, batch.reserve_status) == (at, "READY")
    assert batch.next_poll_at >= at
    assert _stats(simulator)["reservations_accepted"] == 1
    # Twelve minutes pass, on both clocks: the simulator's and our batch's.
    _sim(simulator, "/_sim/clock", advance_seconds=13 * 60)
    with engine.begin() as conn:
        conn.execute(
            update(Batch)
            .where(Batch.id == batch_id)
            .values(reserve_time=utcnow() - timedelta(minutes=1), next_poll_at=utcnow())
        )
    poller = Poller(
        engine, sens_client, PollSettings(first_delay_seconds=0), ResendSettings(max_attempts=1)
    )
    poller.poll_due()
    assert _batch(engine, batch_id).reserve_status == "DONE"
    with engine.connect() as conn:
        codes = dict(
            conn.execute(
                select(Recipient.phone, Recipient.result_code).where(
                    Recipient.campaign_id == campaign_id
                )
            ).all()
        )
    assert codes == {p: code_for(SEED, p) for p in phones}


def test_a_reservation_closer_than_ten_minutes_at_send_time_waits_in_the_database(
    engine, make_campaign, dispatcher, simulator, caplog
) -> None:
    at = utcnow() + timedelta(minutes=15)
    campaign_id = make_campaign(numbers(2, start=82_000), send_at=at, schedule_mode="reserve")
    with engine.begin() as conn:  # the queue was slow: only five minutes are left
        near = utcnow() + timedelta(minutes=5)
        conn.execute(update(Campaign).where(Campaign.id == campaign_id).values(scheduled_at=near))
    [batch_id] = _plan(engine, campaign_id)
    with caplog.at_level(logging.INFO, logger="worker.services.dispatch"):
        assert dispatcher.send_batch(batch_id) is SendOutcome.RETRY
    batch = _batch(engine, batch_id)
    assert (batch.status, batch.next_attempt_at, batch.send_attempts) == ("retry", near, 0)
    assert f"batch={batch_id} held until {near.isoformat()}" in caplog.text
    assert _stats(simulator)["requests_accepted"] == 0
    assert release_due_batches(engine, HOUR, lambda b: None) == 0  # not due yet


def test_cancelling_withdraws_the_reservation_and_stops_the_rest(
    engine, make_campaign, dispatcher, sens_client, simulator
) -> None:
    at = utcnow() + timedelta(minutes=20)
    phones = numbers(150, start=83_000)
    campaign_id = make_campaign(phones, send_at=at, schedule_mode="reserve")
    first, second = _plan(engine, campaign_id)
    assert dispatcher.send_batch(first) is SendOutcome.ACCEPTED  # the second never went
    asked: list[str] = []

    def client_for(provider: str) -> SensClient:
        asked.append(provider)
        return sens_client

    done = cancel_campaign(engine, client_for, campaign_id)
    assert asked == ["sens"]
    assert done is not None
    assert (done.recipients, done.reservations_withdrawn, done.reservations_already_sent) == (
        150,
        1,
        0,
    )
    assert _campaign(engine, campaign_id).status == "cancelled"
    assert _campaign(engine, campaign_id).completed_at is not None
    assert _batch(engine, second).completed_at is not None
    assert _statuses(engine, campaign_id) == {"cancelled"}
    assert (_batch(engine, first).status, _batch(engine, second).status) == (
        "cancelled",
        "cancelled",
    )
    assert _stats(simulator)["reservations_canceled"] == 1
    withdrawn = _batch(engine, first)
    assert (withdrawn.reserve_status, withdrawn.settled) == ("CANCELED", 100)
    assert withdrawn.completed_at is not None
    with engine.connect() as conn:
        query = select(Recipient.result_code, Recipient.completed_at.is_not(None)).where(
            Recipient.campaign_id == campaign_id
        )
        assert set(conn.execute(query)) == {("CANCELLED", True)}
    assert cancel_campaign(engine, lambda provider: sens_client, campaign_id) is None
    assert dispatcher.send_batch(second) is SendOutcome.SKIPPED


def test_a_reservation_already_sent_cannot_be_withdrawn(
    engine, make_campaign, dispatcher, simulator, caplog
) -> None:
    # 12 minutes: SENS reads the minute, so 11 could round down below the lead (and wait).
    at = utcnow() + timedelta(minutes=12)
    campaign_id = make_campaign(numbers(2, start=84_000), send_at=at, schedule_mode="reserve")
    [batch_id] = _plan(engine, campaign_id)
    client: SensClient = dispatcher.client  # type: ignore[assignment]
    dispatcher.send_batch(batch_id)
    _sim(simulator, "/_sim/clock", advance_seconds=12 * 60)  # it went out at the provider
    with caplog.at_level(logging.WARNING, logger="worker.services.reservations"):
        done = cancel_campaign(engine, lambda provider: client, campaign_id)
    assert done is not None and done.reservations_already_sent == 1
    assert f"reservation of batch={batch_id} not withdrawn: " in caplog.text
    assert _statuses(engine, campaign_id) == {"accepted"}  # their results will still come


class ReportsReservation(SensClient):
    """The real SENS client, but the provider reports a fixed reserve status."""

    def __init__(self, base: SensClient, status: str) -> None:
        self.__dict__.update(base.__dict__)
        self.status = status
        self.asked = 0

    def reservation_status(self, reserve_id: str) -> str:
        self.asked += 1
        return self.status


@pytest.mark.parametrize(
    ("status", "recipients", "batch"),
    [
        ("FAIL", ("failed", "RESERVE_FAIL"), "completed"),
        ("STALE", ("failed", "RESERVE_STALE"), "completed"),
        ("CANCELED", ("cancelled", "CANCELLED"), "cancelled"),
        ("PROCESSING", ("accepted", None), "accepted"),
    ],
)
def test_what_the_reserve_status_does_to_the_batch(
    engine, make_campaign, dispatcher, sens_client, status, recipients, batch
) -> None:
    at = utcnow() + timedelta(minutes=12)
    campaign_id = make_campaign(numbers(2, start=85_000), send_at=at, schedule_mode="reserve")
    [batch_id] = _plan(engine, campaign_id)
    dispatcher.send_batch(batch_id)
    with engine.begin() as conn:  # its time has come
        conn.execute(
            update(Batch)
            .where(Batch.id == batch_id)
            .values(reserve_time=utcnow() - timedelta(seconds=1), next_poll_at=utcnow())
        )
    client = ReportsReservation(sens_client, status)
    Poller(engine, client, PollSettings(first_delay_seconds=0), ResendSettings()).poll_due()
    with engine.connect() as conn:
        rows = {(r.status, r.result_code) for r in exporting.outcomes(conn, campaign_id)}
    assert rows == {recipients}
    done = _batch(engine, batch_id)
    assert (done.status, done.reserve_status) == (batch, status)
    ended = batch != "accepted"
    assert (done.completed_at is not None, done.settled) == (ended, 2 if ended else 0)
    with engine.connect() as conn:
        query = select(Recipient.completed_at.is_not(None)).where(
            Recipient.campaign_id == campaign_id
        )
        assert set(conn.execute(query).scalars()) == {ended}


def test_a_reservation_is_asked_about_at_its_very_time(
    engine, make_campaign, dispatcher, sens_client
) -> None:
    at = utcnow() + timedelta(minutes=12)
    campaign_id = make_campaign(numbers(2, start=86_000), send_at=at, schedule_mode="reserve")
    [batch_id] = _plan(engine, campaign_id)
    dispatcher.send_batch(batch_id)
    batch = _batch(engine, batch_id)
    client = ReportsReservation(sens_client, "DONE")
    assert reservations.check(engine, client, [batch], batch.reserve_time) == [batch]
    done = _batch(engine, batch_id)
    assert done.reserve_status == "DONE"
    # Known to have gone out, it is read for results without asking SENS again.
    assert reservations.check(engine, client, [done], done.reserve_time) == [done]
    assert client.asked == 1
