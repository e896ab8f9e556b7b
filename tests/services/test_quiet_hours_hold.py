"""A planned AD batch in the quiet hours (or within their margin) waits in the database until
they end; any other batch, or an AD outside them, is not held (Network Act Art. 50)."""

import logging
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import update

from config.settings import AdSettings
from tests.fake_provider import FakeProvider
from tests.services.conftest import numbers, planned
from worker.db import batches
from worker.db.models import Campaign
from worker.domain.seoul import SEOUL
from worker.services.dispatch import SendOutcome


def _korea(moment: datetime) -> time:
    return moment.astimezone(SEOUL).time().replace(microsecond=0)


def _quiet(start_in: float, lasting: float = 600, margin: float = 60) -> AdSettings:
    """Quiet hours starting `start_in` seconds from now (negative: already started)."""
    start = datetime.now(UTC) + timedelta(seconds=start_in)
    end = start + timedelta(seconds=lasting)
    return AdSettings(quiet_start=_korea(start), quiet_end=_korea(end),
                      quiet_margin_seconds=margin)  # fmt: skip


@pytest.fixture()
def ad_batch(engine, make_campaign):
    """A planned batch of an AD campaign, without night-time consent."""

    def make(**campaign: object) -> int:
        campaign_id = make_campaign(numbers(3))
        with engine.begin() as conn:
            values = {"content_type": "AD", "night_consent": False, **campaign}
            conn.execute(update(Campaign).where(Campaign.id == campaign_id).values(**values))
        return planned(engine, campaign_id)[0]

    return make


def _state(engine, batch_id: int) -> tuple[str, datetime | None]:
    with engine.connect() as conn:
        row = batches.get(conn, batch_id)
    return row.status, row.next_attempt_at


def test_an_ad_in_the_quiet_hours_waits_planned_until_they_end(engine, dispatcher, ad_batch,
                                                                 caplog):  # fmt: skip
    quiet = _quiet(start_in=-60)
    held = replace(dispatcher, ad=quiet)
    batch_id = ad_batch()
    with caplog.at_level(logging.INFO, logger="worker.services.dispatch"):
        assert held.hold_in_quiet_hours(batch_id) is True
    status, due = _state(engine, batch_id)
    assert status == "retry"
    assert due is not None and _korea(due) == quiet.quiet_end
    assert f"batch={batch_id} held in the quiet hours until {due.isoformat()}" in caplog.text
    assert held.hold_in_quiet_hours(batch_id) is False  # no longer planned


@pytest.mark.parametrize(("start_in", "margin", "held"), [(30, 60, True), (90, 60, False)])
def test_the_margin_before_the_quiet_hours_holds_too(engine, dispatcher, ad_batch, start_in,
                                                     margin, held):  # fmt: skip
    batch_id = ad_batch()
    quiet = _quiet(start_in=start_in, margin=margin)
    assert replace(dispatcher, ad=quiet).hold_in_quiet_hours(batch_id) is held
    assert _state(engine, batch_id)[0] == ("retry" if held else "planned")


@pytest.mark.parametrize("campaign", [{"content_type": "COMM"}, {"night_consent": True}])
def test_an_informational_or_consented_campaign_is_not_held(engine, dispatcher, ad_batch,
                                                             campaign):  # fmt: skip
    batch_id = ad_batch(**campaign)
    before = _state(engine, batch_id)
    assert replace(dispatcher, ad=_quiet(start_in=-60)).hold_in_quiet_hours(batch_id) is False
    assert _state(engine, batch_id) == before
    assert before[0] == "planned"


def test_a_batch_no_longer_planned_is_left_alone(engine, dispatcher, ad_batch):
    batch_id = ad_batch()
    with engine.begin() as conn:
        conn.execute(update(batches.Batch).where(batches.Batch.id == batch_id)
                     .values(status="sending"))  # fmt: skip
    assert replace(dispatcher, ad=_quiet(start_in=-60)).hold_in_quiet_hours(batch_id) is False
    assert _state(engine, batch_id)[0] == "sending"


def test_pending_reads_the_size_and_sender_of_a_planned_batch(engine, dispatcher, ad_batch):
    batch_id = ad_batch()
    pending = dispatcher.pending(batch_id)
    assert pending is not None and (pending.recipients, pending.sender) == (3, "0212345678")


def test_a_batch_claimed_in_the_quiet_hours_goes_back_unsent_without_spending_an_attempt(
    engine, dispatcher, ad_batch
):
    # The hold above runs before the limiter; the claim checks again, as the quiet hours may
    # have begun meanwhile (or the task came in by another path).
    fake = FakeProvider("sens", lambda _: ("0", "reception"))
    quiet = _quiet(start_in=-60)
    batch_id = ad_batch()
    assert replace(dispatcher, client=fake, ad=quiet).send_batch(batch_id) is SendOutcome.RETRY
    assert fake.sends == []
    with engine.connect() as conn:
        row = batches.get(conn, batch_id)
    assert (row.status, row.send_attempts) == ("retry", 0)
    assert row.next_attempt_at is not None and _korea(row.next_attempt_at) == quiet.quiet_end
