"""Pause and resume through real workers, beat and the SENS simulator: once paused, the
provider's counters stop within one batch per worker process; results keep coming in;
resumed, the campaign completes with nobody sent twice."""

import time
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from producer.campaigns import create_campaign
from producer.controls import NotPausable, pause_campaign, resume_campaign
from producer.report import campaign_report
from producer.resend import resend_campaign
from producer.sources import NumberList
from producer.spec import CampaignSpec
from simulator.outcomes import TRANSIENT, code_for
from tests.integration.conftest import SEED, Stack, own_stack, wait_until
from worker.db.models import Campaign, Recipient, Suppression

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/4"
COUNT = 20_000
WORKERS = 2  # the stack's worker runs two pool processes
BATCH = 100


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    extra = {"BULKSMS_SENS__LIMITS__RATE_PER_SECOND": "40"}  # 20,000 take 5 s unpaused
    with own_stack(tmp_path_factory.mktemp("stack-pause"), REDIS_URL, extra) as running:
        yield running


def _accepted(stack: Stack) -> int:
    return int(stack.sim_stats("sens")["messages_accepted"])


def test_a_paused_campaign_stops_within_a_batch_per_worker_and_resumes_to_the_end(
    stack: Stack,
) -> None:
    numbers = [f"0103{i:07d}" for i in range(COUNT)]
    spec = CampaignSpec(name="pausing", sender="0212345678", template="안내", provider="sens")
    campaign_id = create_campaign(spec, NumberList(numbers)).campaign_id
    assert wait_until(lambda: _accepted(stack) >= 2000, 60), stack.logs()
    pause_campaign(campaign_id)
    at_pause = _accepted(stack)
    time.sleep(3)  # tasks still queued run now, and are refused their claim
    after = _accepted(stack)
    assert after - at_pause <= WORKERS * BATCH  # only what was in flight finished
    time.sleep(1.5)
    assert _accepted(stack) == after < COUNT
    assert campaign_report(stack.engine, campaign_id).status == "paused"
    with pytest.raises(NotPausable, match="not paused"):
        resume_campaign(campaign_id + 1000)
    assert resume_campaign(campaign_id) in ("dispatching", "awaiting_results")
    done = wait_until(lambda: campaign_report(stack.engine, campaign_id).status
                      == "completed", 120)  # fmt: skip
    assert done, stack.logs()
    sent = stack.sim_stats("sens")["sent_to"]
    with stack.engine.connect() as conn:
        rows = conn.execute(select(Recipient.phone, Recipient.attempts).where(
            Recipient.campaign_id == campaign_id)).all()  # fmt: skip
    assert Counter(sent[phone] - attempts for phone, attempts in rows) == Counter({0: COUNT})
    transient = {n for n in numbers if code_for(SEED, n) in TRANSIENT}
    assert {attempts for phone, attempts in rows if phone in transient} == {2}


def test_only_an_open_campaign_pauses(stack: Stack) -> None:
    spec = CampaignSpec(name="done", sender="0212345678", template="안내", provider="sens")
    campaign_id = create_campaign(spec, NumberList(["01039999999"])).campaign_id
    assert wait_until(lambda: campaign_report(stack.engine, campaign_id).status
                      == "completed", 60)  # fmt: skip
    with pytest.raises(NotPausable, match="is completed"):
        pause_campaign(campaign_id)


def test_a_resend_of_the_failed_sends_exactly_the_failed_that_are_not_suppressed(
    stack: Stack,
) -> None:
    numbers = [f"0102{i:07d}" for i in range(1500)]
    spec = CampaignSpec(name="first", sender="0212345678", template="안내", provider="sens")
    parent = create_campaign(spec, NumberList(numbers)).campaign_id
    assert wait_until(lambda: campaign_report(stack.engine, parent).status == "completed", 90)
    with stack.engine.connect() as conn:
        failed = set(conn.execute(select(Recipient.phone).where(
            Recipient.campaign_id == parent, Recipient.status == "failed")).scalars())  # fmt: skip
        gone = set(conn.execute(select(Suppression.phone)).scalars())
    chosen = failed - gone
    assert chosen and failed & gone  # some failures were numbers found dead, now suppressed
    before = stack.sim_stats("sens")["sent_to"]
    report = resend_campaign(parent, "failed")
    assert (report.imported, report.suppressed) == (len(failed), len(failed & gone))
    child = report.campaign_id
    assert wait_until(lambda: campaign_report(stack.engine, child).status == "completed", 90)
    after = stack.sim_stats("sens")["sent_to"]
    more = {n: after.get(n, 0) - before.get(n, 0) for n in numbers}
    assert {n for n, extra in more.items() if extra} == chosen
    assert set(more[n] for n in chosen) == {1}
    with stack.engine.connect() as conn:
        linked = conn.execute(select(Campaign.parent_id).where(Campaign.id == child)).scalar()
    assert linked == parent
