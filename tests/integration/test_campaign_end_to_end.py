"""A 1,000-recipient campaign through real workers, beat, Redis, PostgreSQL and the simulator.

The simulator makes transient failures (handset off, shadow area, …) succeed on the second
attempt, so the campaign shows re-sends recovering and permanent failures staying put.
"""

import pytest
import requests
from sqlalchemy import Engine, select

from producer.campaigns import create_campaign
from producer.report import campaign_report
from producer.sources import NumberList
from producer.spec import CampaignSpec
from simulator.outcomes import TRANSIENT, code_for
from tests.integration.conftest import SEED, Stack, wait_until
from worker.db.models import Batch, Recipient
from worker.domain.codes import Outcome, lookup

pytestmark = pytest.mark.integration

NUMBERS = [f"0107{i:07d}" for i in range(1000)]


@pytest.fixture(scope="module")
def finished_campaign(running_stack: Stack, pg_url: str) -> int:
    """Create the campaign through the producer API and wait until it completes."""
    spec = CampaignSpec(
        name="e2e", sender="0212345678", template="안녕하세요, 배송이 시작되었습니다."
    )
    report = create_campaign(spec, NumberList(NUMBERS))
    assert (report.read, report.imported, report.rejected) == (1000, 1000, 0)
    from worker.db.engine import get_engine

    engine = get_engine(pg_url)
    done = wait_until(
        lambda: campaign_report(engine, report.campaign_id).status == "completed", 120
    )
    assert done, f"campaign did not complete; logs:\n{running_stack.logs()}"
    return report.campaign_id


def test_every_recipient_final_with_the_code_the_simulator_assigned(
    finished_campaign: int, engine: Engine
) -> None:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Recipient.phone, Recipient.status, Recipient.result_code, Recipient.message_id
            ).where(Recipient.campaign_id == finished_campaign)
        ).all()
    assert len(rows) == 1000
    for phone, status, code, message_id in rows:
        expected = code_for(SEED, phone, attempt=1, recover_after=1)  # after any re-send
        assert code == expected, phone
        delivered = lookup("sens", expected).outcome is Outcome.DELIVERED
        assert status == ("delivered" if delivered else "failed"), phone
        assert message_id
    assert {code for _, _, code, _ in rows} >= {"0", "3001"}


def test_transient_failures_were_resent_once_and_permanent_ones_never(
    finished_campaign: int, running_stack: Stack, engine: Engine
) -> None:
    sent = running_stack.sim_stats()["sent_to"]
    transient = {n for n in NUMBERS if code_for(SEED, n) in TRANSIENT}
    permanent = {n for n in NUMBERS if code_for(SEED, n) in {"3001", "3003", "3012"}}
    assert transient and permanent
    assert {sent[n] for n in transient} == {2}
    assert {sent[n] for n in permanent} == {1}
    with engine.connect() as conn:
        attempts = dict(
            conn.execute(
                select(Recipient.phone, Recipient.attempts).where(
                    Recipient.campaign_id == finished_campaign
                )
            ).all()
        )
    assert {attempts[n] for n in transient} == {2}


def test_batches_hold_at_most_100_and_all_completed(finished_campaign: int, engine: Engine) -> None:
    with engine.connect() as conn:
        batches = conn.execute(
            select(Batch.attempt, Batch.recipient_count, Batch.status, Batch.request_id).where(
                Batch.campaign_id == finished_campaign
            )
        ).all()
    first = [b for b in batches if b.attempt == 1]
    assert len(first) == 10
    assert all(b.recipient_count == 100 for b in first)
    assert all(b.recipient_count <= 100 for b in batches)
    assert {b.attempt for b in batches} == {1, 2}
    assert {b.status for b in batches} == {"completed"}
    assert len({b.request_id for b in batches}) == len(batches)


def test_no_message_was_sent_more_often_than_its_attempts(
    finished_campaign: int, running_stack: Stack
) -> None:
    stats = running_stack.sim_stats()
    resends = sum(code_for(SEED, n) in TRANSIENT for n in NUMBERS)
    # The only repeated (from, to, content) sends are the deliberate re-sends.
    assert stats["duplicate_messages"] == resends
    assert stats["messages_accepted"] == len(NUMBERS) + resends


def test_report_counts_match(finished_campaign: int, engine: Engine) -> None:
    report = campaign_report(engine, finished_campaign)
    expected_delivered = sum(code_for(SEED, n, 1, 1) == "0" for n in NUMBERS)
    assert report.by_status.get("delivered") == expected_delivered
    assert report.final == report.total == 1000
    titles = {line.code: line.title for line in report.by_code}
    assert titles["0"] == "Succeeded"


def test_flower_lists_the_finished_tasks(finished_campaign: int, running_stack: Stack) -> None:
    tasks = requests.get(f"{running_stack.flower_url}/api/tasks", timeout=10).json()
    names = {(t["name"], t["state"]) for t in tasks.values()}
    assert ("bulksms.plan_campaign", "SUCCESS") in names
    assert ("bulksms.send_batch", "SUCCESS") in names
    assert ("bulksms.poll_results", "SUCCESS") in names
