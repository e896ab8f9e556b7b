"""Webhook calls stored in the inbox are applied through the guarded result update: once,
never backwards, unknown requests kept (real PostgreSQL; NHN's own webhook shapes)."""

import json
import logging
from collections import Counter
from datetime import timedelta

from sqlalchemy import Engine, select, update

from config.settings import PollSettings, ResendSettings, SendSettings
from scripts.simulated import provider_settings
from tests.concurrently import at_once
from tests.fake_provider import FakeProvider
from tests.services.conftest import numbers
from worker.db import campaigns, inbox
from worker.db.models import Batch, InboxEvent, Suppression
from worker.providers.nhn.client import NhnClient
from worker.services import inbox as inbox_service
from worker.services.dispatch import Dispatcher, SendOutcome
from worker.services.inbox import Intake
from worker.services.planning import plan_campaign

NHN = NhnClient(provider_settings("nhn", "http://127.0.0.1:9"))  # parses only: no HTTP


def _sent(engine: Engine, make_campaign, count: int, start: int) -> tuple[int, str, list[str]]:
    """A campaign's NHN request, accepted: (campaign id, request id, numbers)."""
    sent = numbers(count, start=start)
    campaign_id = make_campaign(sent, provider="nhn")
    published: list = []
    plan_campaign(engine, campaign_id, lambda _: 1000, timedelta(hours=1), published.extend)
    fake = FakeProvider("nhn", lambda _: ("1000", "reception"))
    dispatcher = Dispatcher(engine, fake, SendSettings(), PollSettings(first_delay_seconds=600))
    assert dispatcher.send_batch(published[0].batch_id) is SendOutcome.ACCEPTED
    return campaign_id, fake.sends[0].request_id, sent


def _hooks(request_id: str, rows: list[tuple[str, str, str | None]]) -> str:
    """A MESSAGE_RESULT_UPDATE call (webhook.md) with (number, messageStatus, resultCode)."""
    hooks = [
        {"requestId": request_id, "recipientSeq": i + 1, "recipientNo": number,
         "messageStatus": status, "resultCode": code, "receiveDate": "2026-12-01T10:00:00"}
        for i, (number, status, code) in enumerate(rows)
    ]  # fmt: skip
    return json.dumps({"event": "MESSAGE_RESULT_UPDATE", "hooks": hooks})


def _store(engine: Engine, body: str) -> int:
    with engine.begin() as conn:
        return inbox.add(conn, "nhn", body)


def _statuses(engine: Engine, campaign_id: int) -> dict[str, int]:
    with engine.connect() as conn:
        return campaigns.status_counts(conn, campaign_id)


def _states(engine: Engine) -> Counter:
    with engine.connect() as conn:
        return Counter(conn.execute(select(InboxEvent.state)).scalars())


def intake(engine: Engine) -> Intake:
    return Intake(engine, NHN, ResendSettings(backoff_seconds=[600.0]))


def test_results_from_webhooks_apply_once_and_never_move_back(engine, make_campaign) -> None:
    campaign_id, request_id, sent = _sent(engine, make_campaign, 3, 100)
    final = _hooks(request_id, [(sent[0], "COMPLETED", "1000"), (sent[1], "FAILED", "3001")])
    _store(engine, final)
    _store(engine, final)  # the provider delivered it twice
    _store(engine, _hooks(request_id, [(sent[0], "SENDING", None)]))  # late, out of order
    done = intake(engine).apply_new()
    assert done["applied"] == 3 and done["results"] == 2
    assert _statuses(engine, campaign_id) == {"delivered": 1, "failed": 1, "accepted": 1}
    _store(engine, _hooks(request_id, [(sent[2], "COMPLETED", "1000")]))
    assert intake(engine).apply_new()["results"] == 1
    assert _statuses(engine, campaign_id) == {"delivered": 2, "failed": 1}
    assert _states(engine) == Counter({"applied": 4})
    with engine.connect() as conn:  # the last result completed the campaign
        campaign = campaigns.get(conn, campaign_id)
    assert campaign.status == "completed" and campaign.completed_at is not None


def test_an_event_for_an_unknown_request_is_kept_and_said(engine, make_campaign, caplog) -> None:
    campaign_id, request_id, sent = _sent(engine, make_campaign, 3, 200)
    known = _store(engine, _hooks(request_id, [(sent[2], "COMPLETED", "1000")]))
    body = _hooks(request_id, [(sent[0], "COMPLETED", "1000")])
    mixed = json.loads(body)
    mixed["hooks"].append({**mixed["hooks"][0], "requestId": "NOT-OURS", "recipientNo": "0101"})
    event_id = _store(engine, json.dumps(mixed))
    _store(engine, _hooks("ALSO-NOT-OURS", [("0102", "COMPLETED", "1000")]))
    # First held: a result can outrun the answer that tells us its request id ...
    assert intake(engine).apply_new() == Counter(applied=1, held=2, results=2)
    assert _states(engine) == Counter({"new": 2, "applied": 1})
    assert intake(engine).apply_new() == Counter()  # not due again before the retry
    # ... and once held long enough, set aside, never dropped.
    patient = Intake(engine, NHN, ResendSettings(), hold=timedelta(0), retry=timedelta(0))
    with engine.begin() as conn:
        conn.execute(update(InboxEvent).values(due_at=None))
    with caplog.at_level(logging.WARNING, logger="worker.services.inbox"):
        assert patient.apply_new() == Counter(unmatched=2)
    assert "provider=nhn 2 webhook events name unknown requests" in caplog.text
    with engine.connect() as conn:
        rows = conn.execute(select(InboxEvent.id, InboxEvent.state, InboxEvent.note,
                                   InboxEvent.applied_at)).all()  # fmt: skip
    by_id = {row.id: row for row in rows}
    assert by_id[event_id].state == "unmatched" and "NOT-OURS" in by_id[event_id].note
    assert by_id[known].state == "applied"
    assert all(row.applied_at is not None for row in rows)
    assert _statuses(engine, campaign_id) == {"delivered": 2, "accepted": 1}


def test_an_unreadable_body_is_kept_as_invalid_and_the_rest_applies(engine, make_campaign) -> None:
    campaign_id, request_id, sent = _sent(engine, make_campaign, 1, 300)
    broken = _store(engine, "{not json")
    _store(engine, _hooks(request_id, [(sent[0], "COMPLETED", "1000")]))
    assert intake(engine).apply_new() == Counter(invalid=1, applied=1, results=1)
    assert _states(engine) == Counter({"invalid": 1, "applied": 1})
    assert _statuses(engine, campaign_id) == {"delivered": 1}
    with engine.connect() as conn:
        query = select(InboxEvent.note, InboxEvent.applied_at).where(InboxEvent.id == broken)
        note, at = conn.execute(query).one()
    assert note == "unreadable body" and at is not None


def test_an_unsubscribe_hook_suppresses_the_number(engine) -> None:
    body = {
        "event": "UNSUBSCRIBE",
        "hooks": [{"recipientNo": "01012345678", "unsubscribeNo": "0801234567"}],
    }
    _store(engine, json.dumps(body))
    assert intake(engine).apply_new()["applied"] == 1
    with engine.connect() as conn:
        listed = conn.execute(select(Suppression.phone, Suppression.reason, Suppression.source))
        assert [tuple(row) for row in listed] == [("01012345678", "080 opt-out (webhook)", "nhn")]


def test_a_result_that_outran_its_send_answer_applies_once_the_batch_is_accepted(
    engine, make_campaign
) -> None:
    campaign_id, request_id, sent = _sent(engine, make_campaign, 1, 400)
    with engine.begin() as conn:  # the answer not stored yet: no batch holds the request
        conn.execute(update(Batch).values(request_id=None))
    _store(engine, _hooks(request_id, [(sent[0], "COMPLETED", "1000")]))
    assert intake(engine).apply_new() == Counter(held=1)
    with engine.begin() as conn:
        conn.execute(update(Batch).values(request_id=request_id))
        conn.execute(update(InboxEvent).values(due_at=None))
    assert intake(engine).apply_new() == Counter(applied=1, results=1)
    assert _statuses(engine, campaign_id) == {"delivered": 1}


def test_two_appliers_at_once_apply_each_event_once_without_a_deadlock(
    engine, make_campaign
) -> None:
    campaign_id, request_id, sent = _sent(engine, make_campaign, 1000, 400)
    rows = [(number, "COMPLETED", "1000") for number in sent]
    _store(engine, _hooks(request_id, rows))
    _store(engine, _hooks(request_id, rows[::-1]))  # delivered again, in the other order
    # Each applier takes one of the two calls: the same 1,000 rows, written at once.
    done = sum(at_once(*[lambda: intake(engine).apply_new(limit=1)] * 2), Counter())
    assert (done["applied"], done["results"]) == (2, 1000)
    assert _statuses(engine, campaign_id) == {"delivered": 1000}
    assert _states(engine) == Counter({"applied": 2})


def test_a_round_takes_no_more_events_than_its_limit(engine, make_campaign) -> None:
    _, request_id, sent = _sent(engine, make_campaign, 2, 500)
    for number in sent:
        _store(engine, _hooks(request_id, [(number, "COMPLETED", "1000")]))
    assert intake(engine).apply_new(limit=1) == Counter(applied=1, results=1)
    assert _states(engine) == Counter({"applied": 1, "new": 1})  # the next round's


def test_an_event_held_for_exactly_the_hold_is_set_aside(
    engine, make_campaign, monkeypatch
) -> None:
    _store(engine, _hooks("NOT-OURS", [("0101", "COMPLETED", "1000")]))
    with engine.connect() as conn:
        received = conn.execute(select(InboxEvent.received_at)).scalar_one()
    hold = timedelta(minutes=5)
    monkeypatch.setattr(inbox_service, "utcnow", lambda: received + hold)
    waiting = Intake(engine, NHN, ResendSettings(), hold=hold)
    assert waiting.apply_new() == Counter(unmatched=1)
