"""Expiry at the result deadline (real PostgreSQL, the SENS simulator): only recipients still
waiting expire, only in accepted batches past the deadline, counted from when they went out."""

from datetime import datetime, timedelta

import pytest
import requests
from sqlalchemy import Engine, select, update

from config.settings import PollSettings, ResendSettings
from tests.concurrently import at_once
from tests.services.conftest import numbers
from worker.db import campaigns
from worker.db.models import Batch, Recipient
from worker.db.types import utcnow
from worker.providers.base import MessageResult
from worker.services.applying import apply_for_requests
from worker.services.dispatch import SendOutcome
from worker.services.planning import plan_campaign
from worker.services.polling import Poller, PollRound

DEADLINE = timedelta(hours=72)
MINUTE = timedelta(minutes=1)
RESEND = ResendSettings(backoff_seconds=[600.0], jitter=0, max_attempts=3)


@pytest.fixture()
def poller(engine: Engine, sens_client, simulator) -> Poller:
    """Polls SENS with a 72 h deadline; the simulator never reports a result on its own."""
    faults = {"pending_rate": 1.0}
    requests.post(f"{simulator.base_url}/_sim/faults", json=faults, timeout=5).raise_for_status()
    hours = DEADLINE.total_seconds() / 3600
    poll = PollSettings(first_delay_seconds=0, result_deadline_hours=hours)
    return Poller(engine, sens_client, poll, RESEND)


def _accepted(engine: Engine, make_campaign, dispatcher, phones: list[str]) -> tuple[int, int]:
    """A campaign of one batch, accepted by the simulator; (campaign id, batch id)."""
    campaign_id = make_campaign(phones)
    published: list = []
    plan_campaign(engine, campaign_id, lambda _: 100, timedelta(hours=1), published.extend)
    [job] = published
    assert dispatcher.send_batch(job.batch_id) is SendOutcome.ACCEPTED
    return campaign_id, job.batch_id


def _report(engine: Engine, batch_id: int, codes: dict[str, str]) -> None:
    """Results as a sweep would read them: `codes` by number (SENS report codes)."""
    with engine.connect() as conn:
        request_id = conn.execute(select(Batch.request_id).where(Batch.id == batch_id)).scalar()
    now = utcnow()
    found = [
        MessageResult(
            request_id, f"m-{to}", to, "COMPLETED", code, None, "SKT", now, family="report"
        )
        for to, code in codes.items()
    ]
    with engine.begin() as conn:
        apply_for_requests(conn, "sens", found, RESEND, now)


def _went_out(engine: Engine, batch_id: int, sent_at: datetime, reserved: datetime | None) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(Batch)
            .where(Batch.id == batch_id)
            .values(sent_at=sent_at, reserve_time=reserved, next_poll_at=sent_at)
        )


def _statuses(engine: Engine, campaign_id: int) -> dict[str, str]:
    query = select(Recipient.phone, Recipient.status).where(Recipient.campaign_id == campaign_id)
    with engine.connect() as conn:
        return dict(conn.execute(query).all())


def _batch(engine: Engine, batch_id: int):
    with engine.connect() as conn:
        return conn.execute(select(Batch).where(Batch.id == batch_id)).one()


def test_only_the_recipients_still_waiting_expire(
    engine, make_campaign, dispatcher, poller
) -> None:
    phones = numbers(6, start=50_000)
    campaign_id, batch_id = _accepted(engine, make_campaign, dispatcher, phones)
    _report(engine, batch_id, {phones[0]: "0", phones[1]: "2000"})  # delivered, transient
    now = utcnow()
    _went_out(engine, batch_id, now - DEADLINE - MINUTE, None)
    round_ = poller.poll_due(now)
    assert (round_.expired, round_.campaigns) == (4, {campaign_id})
    expected = {phones[0]: "delivered", phones[1]: "retry_wait"}
    assert _statuses(engine, campaign_id) == {p: expected.get(p, "expired") for p in phones}
    batch = _batch(engine, batch_id)
    assert (batch.status, batch.settled, batch.recipient_count) == ("completed", 6, 6)


def test_the_deadline_is_kept_to_the_minute_on_either_side(
    engine, make_campaign, dispatcher, poller
) -> None:
    now = utcnow()
    inside = _accepted(engine, make_campaign, dispatcher, numbers(3, start=51_000))
    past = _accepted(engine, make_campaign, dispatcher, numbers(3, start=51_100))
    _went_out(engine, inside[1], now - DEADLINE + MINUTE, None)
    _went_out(engine, past[1], now - DEADLINE - MINUTE, None)
    round_ = poller.poll_due(now)
    assert round_.expired == 3
    with engine.connect() as conn:
        assert campaigns.status_counts(conn, inside[0]) == {"accepted": 3}
        assert campaigns.status_counts(conn, past[0]) == {"expired": 3}
    assert poller.poll_due(now + 2 * MINUTE).expired == 3  # its own deadline comes too


def test_a_reservation_counts_from_its_reserved_time_not_its_hand_over(
    engine, make_campaign, dispatcher, poller
) -> None:
    now = utcnow()
    campaign_id, batch_id = _accepted(engine, make_campaign, dispatcher, numbers(3, start=52_000))
    # Handed over five days ago for a send an hour ago: its results may still come.
    _went_out(engine, batch_id, now - timedelta(days=5), now - timedelta(hours=1))
    assert poller.poll_due(now).expired == 0
    with engine.connect() as conn:
        assert campaigns.status_counts(conn, campaign_id) == {"accepted": 3}
    assert poller.poll_due(now + DEADLINE).expired == 3


def test_a_finished_batch_past_the_deadline_is_left_alone(
    engine, make_campaign, dispatcher, poller
) -> None:
    phones = numbers(3, start=53_000)
    campaign_id, batch_id = _accepted(engine, make_campaign, dispatcher, phones)
    _report(engine, batch_id, dict.fromkeys(phones, "0"))
    now = utcnow()
    _went_out(engine, batch_id, now - DEADLINE - MINUTE, None)
    before = _batch(engine, batch_id)
    assert before.status == "completed"
    assert poller.poll_due(now) == PollRound()  # nothing expired, no campaign touched
    assert _batch(engine, batch_id) == before
    assert set(_statuses(engine, campaign_id).values()) == {"delivered"}


def test_two_rounds_at_once_expire_each_recipient_once(
    engine, make_campaign, dispatcher, poller
) -> None:
    phones = numbers(50, start=54_000)
    campaign_id, batch_id = _accepted(engine, make_campaign, dispatcher, phones)
    _report(engine, batch_id, {phones[0]: "0"})
    now = utcnow()
    _went_out(engine, batch_id, now - DEADLINE - MINUTE, None)
    rounds = at_once(lambda: poller.poll_due(now), lambda: poller.poll_due(now))
    assert sorted(r.expired for r in rounds) == [0, 49]
    batch = _batch(engine, batch_id)
    assert (batch.status, batch.settled) == ("completed", 50)
    with engine.connect() as conn:
        assert campaigns.status_counts(conn, campaign_id) == {"delivered": 1, "expired": 49}
