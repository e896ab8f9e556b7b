"""Real workers and beat: expiry at the result deadline, late results, scheduled campaigns."""

from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from producer.campaigns import create_campaign
from producer.queueing import enqueue_cancel
from producer.report import campaign_report
from producer.sources import NumberList
from producer.spec import CampaignSpec
from simulator.outcomes import code_for
from tests.integration.conftest import SEED, Stack, wait_until
from worker.db.models import Batch, Recipient
from worker.db.types import utcnow

pytestmark = pytest.mark.integration


def _faults(stack: Stack, **values: object) -> None:
    requests.post(f"{stack.sim_url}/_sim/faults", json=values, timeout=5).raise_for_status()


def _create(numbers: list[str], **spec: object) -> int:
    full = CampaignSpec(name="later", sender="0212345678", template="안내 문자입니다", **spec)
    return create_campaign(full, NumberList(numbers)).campaign_id


def _rows(engine, campaign_id: int) -> dict[str, tuple[str, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Recipient.phone, Recipient.status, Recipient.result_code).where(
                Recipient.campaign_id == campaign_id
            )
        ).all()
    return {phone: (status, code) for phone, status, code in rows}


def _batches(engine, campaign_id: int) -> list:
    with engine.connect() as conn:
        return conn.execute(select(Batch).where(Batch.campaign_id == campaign_id)).all()


def _status(engine, campaign_id: int) -> str:
    return campaign_report(engine, campaign_id).status


def test_a_message_that_never_completes_expires_and_a_late_one_is_applied(
    running_stack: Stack, engine
) -> None:
    _faults(running_stack, pending_rate=1.0)  # the carrier never reports these
    stuck = _create([f"0106{i:07d}" for i in range(3)])
    assert wait_until(lambda: {b.status for b in _batches(engine, stuck)} == {"accepted"}, 30)
    _faults(running_stack, pending_rate=0.0, complete_delay=4.0)  # these report after 2–6 s
    late_numbers = [f"0106{i:07d}" for i in range(100, 103)]
    late = _create(late_numbers)
    done = wait_until(lambda: {_status(engine, stuck), _status(engine, late)} == {"completed"}, 60)
    _faults(running_stack, complete_delay=0.5)
    assert done, running_stack.logs()
    assert set(_rows(engine, stuck).values()) == {("expired", "EXPIRED")}
    expected = {n: code_for(SEED, n) for n in late_numbers}
    assert {n: code for n, (_, code) in _rows(engine, late).items()} == expected
    [batch] = _batches(engine, late)
    assert batch.poll_count >= 1  # polled before its results had arrived


def _counts(stack: Stack, *names: str) -> dict[str, int]:
    """Some of the SENS simulator's counters, to diff around what one test does: the stack
    is shared by the session, so its totals include every earlier test's requests."""
    stats = stack.sim_stats()
    return {name: stats[name] for name in names}


def _diff(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before[name] for name in before}


def test_the_result_polls_of_a_campaign_are_list_queries_none_refused(
    running_stack: Stack, engine
) -> None:
    before = _counts(running_stack, "list_queries", "window_rejections")
    numbers = [f"0106{i:07d}" for i in range(400, 405)]
    campaign_id = _create(numbers)
    assert wait_until(lambda: _status(engine, campaign_id) == "completed", 60), running_stack.logs()
    diff = _diff(before, _counts(running_stack, "list_queries", "window_rejections"))
    # SENS gives results only to list queries: this campaign's polls made some (polls of
    # other campaigns still running may add more), none refused, and the results came back.
    assert diff["list_queries"] > 0
    assert diff["window_rejections"] == 0
    assert {n: code for n, (_, code) in _rows(engine, campaign_id).items()} == {
        n: code_for(SEED, n) for n in numbers
    }


def test_a_waiting_campaign_goes_out_at_its_time(running_stack: Stack, engine) -> None:
    # Real beat and workers take no clock: the lead must outlast creating the campaign on a
    # loaded 2-core machine, or beat starts it before the "scheduled" check (3 s was tight).
    send_at = utcnow() + timedelta(seconds=8)
    numbers = [f"0106{i:07d}" for i in range(200, 205)]
    campaign_id = _create(numbers, send_at=send_at)
    assert _status(engine, campaign_id) == "scheduled"
    assert wait_until(lambda: _status(engine, campaign_id) == "completed", 60)
    assert all(b.sent_at >= send_at for b in _batches(engine, campaign_id))


def test_a_reserved_campaign_is_handed_to_sens_and_can_be_cancelled(
    running_stack: Stack, engine
) -> None:
    from config.settings import get_settings

    names = ("reservations_accepted", "reservations_canceled", "messages_canceled")
    before = _counts(running_stack, *names)
    send_at = (utcnow() + timedelta(minutes=15)).replace(second=0, microsecond=0)
    campaign_id = _create(
        [f"0106{i:07d}" for i in range(300, 304)], send_at=send_at, schedule_mode="reserve"
    )
    assert wait_until(
        lambda: [b.reserve_status for b in _batches(engine, campaign_id)] == ["READY"], 30
    )
    assert _batches(engine, campaign_id)[0].reserve_time == send_at
    enqueue_cancel(get_settings(), campaign_id)
    assert wait_until(lambda: _status(engine, campaign_id) == "cancelled", 30)
    assert {status for status, _ in _rows(engine, campaign_id).values()} == {"cancelled"}
    # One batch of four: one reservation made, that one cancelled with its four messages.
    assert _diff(before, _counts(running_stack, *names)) == {
        "reservations_accepted": 1,
        "reservations_canceled": 1,
        "messages_canceled": 4,
    }
