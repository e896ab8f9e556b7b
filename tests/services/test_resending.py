"""Transient failures are re-sent in new batches and recover; permanent ones never go again."""

import time
from datetime import timedelta
from typing import Any

import requests
from sqlalchemy import Engine, select, update

from config.settings import PollSettings, ResendSettings
from simulator.outcomes import TRANSIENT, code_for
from tests.services.conftest import SEED, numbers
from worker.db import attempts, suppressions
from worker.db.models import Batch, Campaign, Recipient
from worker.db.types import utcnow
from worker.services import resending
from worker.services.planning import plan_campaign
from worker.services.polling import Poller
from worker.services.publishing import SendJob
from worker.services.resending import resend_due

HOUR = timedelta(hours=1)
RESEND = ResendSettings(backoff_seconds=[0.0], jitter=0, max_attempts=3)


def _send(dispatcher, published: list[tuple[int, str]]) -> None:
    for batch_id, *_ in published:
        dispatcher.send_batch(batch_id)


def _poll_until_quiet(poller: Poller) -> None:
    time.sleep(0.4)  # results complete within 0.15 s of acceptance
    poller.poll_due()


def _rows(engine: Engine, campaign_id: int) -> dict[str, tuple[str, int, str]]:
    query = select(Recipient.phone, Recipient.status, Recipient.attempts, Recipient.result_code)
    with engine.connect() as conn:
        rows = conn.execute(query.where(Recipient.campaign_id == campaign_id)).all()
    return {phone: (status, tries, code) for phone, status, tries, code in rows}


def test_transient_numbers_recover_on_attempt_2_and_the_rest_go_once(
    engine, make_campaign, dispatcher, sens_client, simulator
) -> None:
    requests.post(f"{simulator.base_url}/_sim/faults", json={"recover_after": 1}, timeout=5)
    phones = numbers(400, start=30_000)
    firsts = {p: code_for(SEED, p) for p in phones}
    transient = {p for p, c in firsts.items() if c in TRANSIENT}
    assert transient
    campaign_id = make_campaign(phones)
    poller = Poller(engine, sens_client, PollSettings(first_delay_seconds=0), RESEND)
    published: list[tuple[int, str]] = []
    plan_campaign(engine, campaign_id, lambda _: 100, HOUR, published.extend)
    _send(dispatcher, published)
    _poll_until_quiet(poller)
    assert {s for p, (s, _, _) in _rows(engine, campaign_id).items() if p in transient} == {
        "retry_wait"
    }
    again: list[tuple[int, str]] = []
    assert resend_due(engine, lambda _: 100, HOUR, again.extend) == len(transient)
    assert resend_due(engine, lambda _: 100, HOUR, again.extend) == 0  # nothing due twice
    _send(dispatcher, again)
    _poll_until_quiet(poller)
    rows = _rows(engine, campaign_id)
    for phone in phones:
        if phone in transient:
            assert rows[phone] == ("delivered", 2, "0"), phone
        else:
            expected = "delivered" if firsts[phone] == "0" else "failed"
            assert rows[phone] == (expected, 1, firsts[phone]), phone
    sent = requests.get(f"{simulator.base_url}/_sim/stats", timeout=5).json()["sent_to"]
    assert {p: sent[p] for p in phones} == {p: 2 if p in transient else 1 for p in phones}
    with engine.connect() as conn:
        second = conn.execute(
            select(Batch.attempt, Batch.status).where(Batch.id.in_([b for b, *_ in again]))
        ).all()
        history = attempts.for_campaign(conn, campaign_id)
        by_attempt = attempts.delivered_by_attempt(conn, campaign_id)
        status = conn.execute(select(Campaign.status).where(Campaign.id == campaign_id)).scalar()
        gone = suppressions.listed(conn, phones)
    assert {row for row in second} == {(2, "completed")}
    assert len(history) == len(phones) + len(transient)
    assert by_attempt[2] == len(transient)
    assert status == "completed"
    assert gone == {p for p, c in firsts.items() if c == "3001"}


def test_a_number_that_stays_transient_fails_after_the_last_attempt(
    engine, make_campaign, dispatcher, sens_client, simulator
) -> None:
    phones = [p for p in numbers(3000, start=40_000) if code_for(SEED, p) == "2003"][:3]
    campaign_id = make_campaign(phones)  # recover_after stays 0: transient forever
    poller = Poller(
        engine,
        sens_client,
        PollSettings(first_delay_seconds=0),
        RESEND.model_copy(update={"max_attempts": 2}),
    )
    published: list[tuple[int, str]] = []
    plan_campaign(engine, campaign_id, lambda _: 100, HOUR, published.extend)
    for _ in range(3):
        _send(dispatcher, published)
        _poll_until_quiet(poller)
        published = []
        resend_due(engine, lambda _: 100, HOUR, published.extend)
    assert set(_rows(engine, campaign_id).values()) == {("failed", 2, "2003")}
    sent = requests.get(f"{simulator.base_url}/_sim/stats", timeout=5).json()["sent_to"]
    assert [sent[p] for p in phones] == [2, 2, 2]


SENDER = "0212345678"  # the sender make_campaign gives every campaign
SIZES = {"sens": 100, "apiplex": 2}


def _waiting(engine: Engine, campaign_id: int, types: dict[str, str]) -> None:
    """The auto campaign sends; each number waits, due now, for attempt 2 as its type."""
    with engine.begin() as conn:
        conn.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id)
            .values(status="dispatching", provider="auto")
        )
        for phone, message_type in types.items():
            conn.execute(
                update(Recipient)
                .where(Recipient.campaign_id == campaign_id, Recipient.phone == phone)
                .values(
                    status="retry_wait",
                    attempts=1,
                    message_type=message_type,
                    next_attempt_at=utcnow() - timedelta(seconds=1),
                )
            )


def _resend_batches(engine: Engine, campaign_id: int) -> list[tuple]:
    query = select(
        Batch.id, Batch.provider, Batch.message_type, Batch.attempt, Batch.recipient_count,
        Batch.status, Batch.next_attempt_at,
    ).where(Batch.campaign_id == campaign_id)  # fmt: skip
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query.order_by(Batch.id))]


def test_a_resend_goes_to_the_provider_its_type_routes_to_at_that_providers_size(
    engine, make_campaign
) -> None:
    phones = numbers(4, start=50_000)
    campaign_id = make_campaign(phones)
    # Three abroad (an auto campaign's INTL prefers API PLEX), one domestic SMS on its own.
    _waiting(engine, campaign_id, {**dict.fromkeys(phones[:3], "INTL"), phones[3]: "SMS"})
    published: list[SendJob] = []
    before = utcnow()
    assert resend_due(engine, SIZES.__getitem__, HOUR, published.extend) == 4
    after = utcnow()
    made = _resend_batches(engine, campaign_id)
    assert [row[1:6] for row in made] == [
        ("apiplex", "INTL", 2, 2, "planned"),
        ("apiplex", "INTL", 2, 1, "planned"),
        ("sens", "SMS", 2, 1, "planned"),
    ]
    # A planned batch is published again only if no send claimed it by then (its task lost).
    assert all(before + HOUR <= row[6] <= after + HOUR for row in made)
    assert published == [
        SendJob(made[0][0], "apiplex", 2, SENDER),
        SendJob(made[1][0], "apiplex", 1, SENDER),
        SendJob(made[2][0], "sens", 1, SENDER),
    ]


def test_a_group_no_provider_can_carry_waits_while_the_next_goes(engine, make_campaign) -> None:
    held, sent = numbers(2, start=51_000), numbers(2, start=52_000)
    stuck, going = make_campaign(held), make_campaign(sent)  # stuck's group comes first
    _waiting(engine, stuck, dict.fromkeys(held, "SMS"))
    _waiting(engine, going, dict.fromkeys(sent, "SMS"))

    def route(row: Any, _: str) -> str | None:
        return None if row.campaign_id == stuck else "sens"  # e.g. every able one is sick

    published: list[SendJob] = []
    assert resend_due(engine, SIZES.__getitem__, HOUR, published.extend, route) == 2
    assert [(job.provider, job.recipients) for job in published] == [("sens", 2)]
    assert _rows(engine, stuck) == dict.fromkeys(held, ("retry_wait", 1, None))


def test_a_round_takes_at_most_its_chunk_and_leaves_the_rest_for_the_next(
    engine, make_campaign, monkeypatch
) -> None:
    phones = numbers(3, start=53_000)
    campaign_id = make_campaign(phones)
    _waiting(engine, campaign_id, dict.fromkeys(phones, "SMS"))
    monkeypatch.setattr(resending, "RESEND_CHUNK", 2)
    published: list[SendJob] = []
    assert resend_due(engine, SIZES.__getitem__, HOUR, published.extend) == 2
    assert resend_due(engine, SIZES.__getitem__, HOUR, published.extend) == 1
    assert [job.recipients for job in published] == [2, 1]
