"""A recipient whose message cannot be rendered for its batch fails with RENDER and is not
sent; the others go; a batch left with nobody to send completes without a provider call."""

import logging
from collections import Counter

from sqlalchemy import select, update

from tests.services.conftest import numbers, planned, sends_per_number
from worker.db import batches, campaigns
from worker.db.models import Recipient
from worker.services.dispatch import SendOutcome

TOO_LONG = {"name": "가" * 1500}  # over any type's limit once rendered (3,000 bytes)


def _make_unrenderable(engine, campaign_id: int, phones: list[str]) -> list[int]:
    with engine.begin() as conn:
        statement = (
            update(Recipient)
            .where(Recipient.campaign_id == campaign_id, Recipient.phone.in_(phones))
            .values(variables=TOO_LONG)
            .returning(Recipient.id)
        )
        return list(conn.execute(statement).scalars())


def test_an_unrenderable_recipient_fails_and_the_rest_go(engine, make_csv_campaign, dispatcher,
                                                         simulator, caplog):  # fmt: skip
    phones = numbers(3, start=30_000)
    campaign_id = make_csv_campaign(["phone", "name"], [[p, "민준"] for p in phones], "{name}님")
    [batch_id] = planned(engine, campaign_id)
    [bad] = _make_unrenderable(engine, campaign_id, phones[:1])
    with caplog.at_level(logging.WARNING, logger="worker.services.dispatch"):
        assert dispatcher.send_batch(batch_id) is SendOutcome.ACCEPTED
    assert sends_per_number(simulator) == Counter({1: 2})
    with engine.connect() as conn:
        row = conn.execute(select(Recipient).where(Recipient.id == bad)).one()
        batch = batches.get(conn, batch_id)
    assert (row.status, row.result_code, row.result_outcome) == ("failed", "RENDER", "failed")
    assert row.completed_at is not None
    assert (row.batch_id, row.attempts, batch.settled) == (batch_id, 1, 1)
    assert f"batch={batch_id} recipient={bad} not sent: " in caplog.text
    assert "bytes" in caplog.text.split(f"recipient={bad} not sent: ")[1].splitlines()[0]


def test_a_batch_nobody_in_which_can_be_rendered_completes_unsent(
    engine, make_csv_campaign, dispatcher, simulator
):
    phones = numbers(2, start=31_000)
    campaign_id = make_csv_campaign(["phone", "name"], [[p, "서연"] for p in phones], "{name}님")
    [batch_id] = planned(engine, campaign_id)
    _make_unrenderable(engine, campaign_id, phones)
    assert dispatcher.send_batch(batch_id) is SendOutcome.EMPTY
    assert sends_per_number(simulator) == Counter()
    with engine.connect() as conn:
        batch = batches.get(conn, batch_id)
        counts = campaigns.status_counts(conn, campaign_id)
        status = campaigns.get(conn, campaign_id).status
    assert (batch.status, batch.settled) == ("completed", 2) and batch.completed_at is not None
    assert counts == {"failed": 2} and status == "completed"
