"""Applying results by request id (real PostgreSQL): recipient rows, history, batches, deadlines."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, select, update

from config.settings import PollSettings, ResendSettings, SendSettings
from tests.fake_provider import FakeProvider
from tests.services.conftest import numbers
from worker.db import batches, recipients
from worker.db.members import BatchRef
from worker.db.models import Batch, Campaign, DeliveryAttempt, Recipient
from worker.db.types import utcnow
from worker.domain.statuses import RecipientStatus
from worker.providers.base import MessageResult
from worker.services.applying import Applied, apply_for_requests
from worker.services.dispatch import Dispatcher, SendOutcome
from worker.services.planning import plan_campaign

# One re-send 300 s after a transient failure; no jitter where a test needs the exact time.
RESEND = ResendSettings(backoff_seconds=[300.0], jitter=0.2, max_attempts=3)
EXACT = RESEND.model_copy(update={"jitter": 0.0})


def _sent(engine: Engine, make_campaign, phones: list[str], size: int = 100) -> tuple[int, list]:
    """A campaign sent in batches of `size` to a fake SENS; (campaign id, batch rows)."""
    campaign_id = make_campaign(phones)
    published: list = []
    plan_campaign(engine, campaign_id, lambda _: size, timedelta(hours=1), published.extend)
    fake = FakeProvider("sens", lambda _: ("0", "report"))
    dispatcher = Dispatcher(engine, fake, SendSettings(), PollSettings(first_delay_seconds=0))
    for job in published:
        assert dispatcher.send_batch(job.batch_id) is SendOutcome.ACCEPTED
    with engine.connect() as conn:
        rows = conn.execute(select(Batch).where(Batch.campaign_id == campaign_id)
                            .order_by(Batch.id)).all()  # fmt: skip
    return campaign_id, rows


def _result(
    batch, to: str, code: str, done: datetime | None = None, echoed: bool = False
) -> MessageResult:
    """A SENS report for `to`, named by the batch's request id or (echoed) by our batch id."""
    request_id = "" if echoed else batch.request_id
    return MessageResult(request_id, f"m-{to}", to, "COMPLETED", code, None, "SKT", done,
                         family="report", batch_id=batch.id if echoed else None)  # fmt: skip


def _apply(
    engine: Engine, found: list[MessageResult], now: datetime, resend: ResendSettings = RESEND
) -> Applied:
    with engine.begin() as conn:
        return apply_for_requests(conn, "sens", found, resend, now)


def _recipients(engine: Engine, campaign_id: int) -> dict[str, tuple]:
    """Each number's (status, code, outcome, completed_at, next_attempt_at)."""
    query = select(Recipient.phone, Recipient.status, Recipient.result_code,
                   Recipient.result_outcome, Recipient.completed_at, Recipient.next_attempt_at
                   ).where(Recipient.campaign_id == campaign_id)  # fmt: skip
    with engine.connect() as conn:
        return {phone: tuple(rest) for phone, *rest in conn.execute(query)}


def _attempts(engine: Engine, campaign_id: int) -> dict[str, tuple]:
    """Each number's history row: (attempt, code, outcome, message_id)."""
    query = select(DeliveryAttempt.phone, DeliveryAttempt.attempt, DeliveryAttempt.code,
                   DeliveryAttempt.outcome, DeliveryAttempt.message_id
                   ).where(DeliveryAttempt.campaign_id == campaign_id)  # fmt: skip
    with engine.connect() as conn:
        return {phone: tuple(rest) for phone, *rest in conn.execute(query)}


def _expire(engine: Engine, batch, phones: list[str], now: datetime) -> None:
    """These members expired, as the poller's deadline expiry leaves them."""
    with engine.begin() as conn:
        ids = conn.execute(
            select(Recipient.id).where(
                Recipient.campaign_id == batch.campaign_id, Recipient.phone.in_(phones)
            )
        ).scalars()
        closed = recipients.close(conn, BatchRef.of(batch), RecipientStatus.EXPIRED, "EXPIRED",
                                  now, ids=list(ids))  # fmt: skip
        batches.settle(conn, batch.id, closed)


def test_each_result_leaves_its_code_outcome_times_and_history(engine, make_campaign) -> None:
    phones = numbers(3, start=90_000)
    campaign_id, [batch] = _sent(engine, make_campaign, phones)
    now = utcnow()
    reported = now - timedelta(minutes=5)  # the provider's own completion time
    found = [
        _result(batch, phones[0], "0", reported),
        _result(batch, phones[1], "0"),  # no completion time: ours stands in
        _result(batch, phones[2], "2003", reported),  # handset off: sent again later
    ]
    applied = _apply(engine, found, now)
    assert applied == Applied(3, [batch.id], {campaign_id}, {batch.request_id})
    rows = _recipients(engine, campaign_id)
    assert rows[phones[0]] == ("delivered", "0", "delivered", reported, None)
    assert rows[phones[1]] == ("delivered", "0", "delivered", now, None)
    status, code, outcome, done, due = rows[phones[2]]
    # Waiting for its re-send it has no completion time yet; 300 s ±20 % jitter.
    assert (status, code, outcome, done) == ("retry_wait", "2003", "retryable", None)
    assert now + timedelta(seconds=200) < due < now + timedelta(seconds=400)
    assert _attempts(engine, campaign_id) == {
        phones[0]: (1, "0", "delivered", f"m-{phones[0]}"),
        phones[1]: (1, "0", "delivered", f"m-{phones[1]}"),
        phones[2]: (1, "2003", "retryable", f"m-{phones[2]}"),
    }
    with engine.connect() as conn:
        done_batch = conn.execute(select(Batch).where(Batch.id == batch.id)).one()
    assert (done_batch.status, done_batch.settled, done_batch.completed_at) == ("completed", 3, now)


def test_a_result_with_an_empty_code_is_an_unknown_code_kept_as_it_came(
    engine, make_campaign
) -> None:
    [phone] = numbers(1, start=90_100)
    campaign_id, [batch] = _sent(engine, make_campaign, [phone])
    now = utcnow()
    _apply(engine, [_result(batch, phone, "", now)], now)
    # Failed and never re-sent, with no code made up for it in the report or the history.
    assert _recipients(engine, campaign_id)[phone] == ("failed", "", "failed", now, None)
    assert _attempts(engine, campaign_id)[phone] == (1, "", "failed", f"m-{phone}")


def test_late_results_reach_expired_recipients_after_another_batch_applied_in_full(
    engine, make_campaign
) -> None:
    phones = numbers(4, start=90_200)
    campaign_id, [first, second] = _sent(engine, make_campaign, phones, size=2)
    expired_at = utcnow()
    _expire(engine, second, phones[2:], expired_at)
    now = expired_at + timedelta(seconds=1)
    # Lock order puts the first batch, whose results all find open members, before the late ones.
    found = [_result(first, p, "0", now) for p in phones[:2]]
    found += [_result(second, phones[2], "0", now), _result(second, phones[3], "2003", now)]
    assert _apply(engine, found, now).results == 4
    rows = _recipients(engine, campaign_id)
    assert [rows[p][:2] for p in phones[:3]] == [("delivered", "0")] * 3
    # A late transient result is final: past its deadline's expiry it is never re-sent.
    assert rows[phones[3]] == ("failed", "2003", "retryable", now, None)


def test_results_named_by_request_and_by_our_echoed_batch_apply_together(
    engine, make_campaign
) -> None:
    phones = numbers(4, start=90_300)
    campaign_id, [first, second] = _sent(engine, make_campaign, phones, size=2)
    now = utcnow()
    found = [_result(first, p, "0", now) for p in phones[:2]]
    found += [_result(second, p, "0", now, echoed=True) for p in phones[2:]]
    applied = _apply(engine, found, now)
    assert (applied.results, sorted(applied.completed)) == (4, [first.id, second.id])
    assert {row[0] for row in _recipients(engine, campaign_id).values()} == {"delivered"}


@pytest.mark.parametrize(
    ("deadline_after", "expected"),
    [(299, "failed"), (300, "failed"), (301, "retry_wait")],
)
def test_a_resend_is_due_strictly_before_the_campaigns_own_deadline(
    engine, make_campaign, deadline_after: int, expected: str
) -> None:
    [phone] = numbers(1, start=90_400 + deadline_after)
    campaign_id, [batch] = _sent(engine, make_campaign, [phone])
    now = utcnow()
    deadline = now + timedelta(seconds=deadline_after)
    with engine.begin() as conn:  # its own deadline, far before the 24 h default
        conn.execute(update(Campaign).where(Campaign.id == campaign_id)
                     .values(deadline_at=deadline))  # fmt: skip
    _apply(engine, [_result(batch, phone, "2003", now)], now, EXACT)  # re-send due at now + 300 s
    assert _recipients(engine, campaign_id)[phone][0] == expected


def test_a_campaign_row_without_a_deadline_resends_within_the_default(
    engine, make_campaign
) -> None:
    [phone] = numbers(1, start=90_500)
    campaign_id, [batch] = _sent(engine, make_campaign, [phone])
    with engine.begin() as conn:  # the default deadline counts from the campaign's creation
        conn.execute(update(Campaign).where(Campaign.id == campaign_id).values(deadline_at=None))
    now = utcnow()
    _apply(engine, [_result(batch, phone, "2003", now)], now, EXACT)
    status, *_, due = _recipients(engine, campaign_id)[phone]
    assert (status, due) == ("retry_wait", now + timedelta(seconds=300))
