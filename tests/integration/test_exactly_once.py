"""Real workers and beat, each provider's simulator dropping answers: nothing is sent twice; an
opt-out after the import is honoured; a cancel stops every later send."""

import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import insert, select

from config import providers
from config.settings import get_settings
from producer.campaigns import create_campaign
from producer.queueing import enqueue_cancel
from producer.report import campaign_report
from producer.sources import NumberList
from producer.spec import CampaignSpec
from simulator.outcomes import TRANSIENT, code_for
from tests.integration.conftest import SEED, Stack, own_stack, wait_until
from worker.db.models import Batch, Recipient, Suppression
from worker.db.types import utcnow
from worker.domain.statuses import FINAL_RECIPIENT_STATUSES

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/7"
# Answers held back longer than the clients wait for them; lookups a few seconds after.
READ_TIMEOUT = 1.0
LOST_SECONDS = 2.5
LOSSY = {
    "BULKSMS_SEND__LOOKUP_DELAY_SECONDS": "3",
    "BULKSMS_SEND__LEASE_SECONDS": "15",
    "BULKSMS_SEND__REPUBLISH_AFTER_SECONDS": "5",
    # An import silent this long lost its producer.
    "BULKSMS_SEND__IMPORT_SILENCE_SECONDS": "4",
    "BULKSMS_SENS__READ_TIMEOUT": str(READ_TIMEOUT),
    "BULKSMS_NHN__READ_TIMEOUT": str(READ_TIMEOUT),
    "BULKSMS_APIPLEX__READ_TIMEOUT": str(READ_TIMEOUT),
    # NHN cut at 100 too, so a campaign has enough requests for answers to get lost.
    "BULKSMS_NHN__LIMITS__BATCH_SIZE": "100",
}


@pytest.fixture(scope="module")
def lossy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of its own (schema, Redis database) whose clients time out after a second."""
    with own_stack(tmp_path_factory.mktemp("stack-lossy"), REDIS_URL, LOSSY) as running:
        yield running


def _faults(stack: Stack, provider: str, **values: object) -> None:
    url = f"{stack.sim_urls[provider]}/_sim/faults"
    requests.post(url, json=values, timeout=5).raise_for_status()


def _numbers(tag: int, count: int, provider: str = "sens") -> list[str]:
    if not providers.get(provider).capabilities.domestic:  # API PLEX: numbers abroad only
        return [f"+447911{tag % 10:01d}{i:05d}" for i in range(count)]
    return [f"0105{tag:02d}{i:05d}" for i in range(count)]


def _create(numbers: list[str], **spec: object) -> int:
    full = CampaignSpec(name="once", sender="0212345678", template="오늘의 안내입니다", **spec)
    return create_campaign(full, NumberList(numbers)).campaign_id


def _recipients(stack: Stack, campaign_id: int) -> dict[str, tuple[str, int]]:
    with stack.engine.connect() as conn:
        rows = conn.execute(
            select(Recipient.phone, Recipient.status, Recipient.attempts).where(
                Recipient.campaign_id == campaign_id
            )
        ).all()
    return {phone: (status, attempts) for phone, status, attempts in rows}


def _status(stack: Stack, campaign_id: int) -> str:
    return campaign_report(stack.engine, campaign_id).status


@pytest.mark.parametrize("provider", providers.provider_names())
def test_with_a_fifth_of_answers_lost_nothing_is_sent_twice(lossy: Stack, provider: str) -> None:
    numbers = _numbers(10 + providers.provider_names().index(provider), 2000, provider)
    _faults(lossy, provider, lost_rate=0.2, lost_seconds=LOST_SECONDS)
    try:
        campaign_id = _create(numbers, provider=provider)
        done = wait_until(lambda: _status(lossy, campaign_id) == "completed", 150)
    finally:
        _faults(lossy, provider, lost_rate=0.0)
    assert done, f"not completed; logs:\n{lossy.logs()}"
    stats = lossy.sim_stats(provider)
    assert stats["lost_answers"] >= 2  # the fault really happened
    rows = _recipients(lossy, campaign_id)
    assert {status for status, _ in rows.values()} <= {s.value for s in FINAL_RECIPIENT_STATUSES}
    assert "unknown" not in {status for status, _ in rows.values()}
    # Every number was taken exactly as often as we meant to send it: once, twice after a
    # transient result, never once more for a lost answer.
    # (API PLEX's simulator counts E.164 numbers without their +.)
    sent = {n: stats["sent_to"].get(n.lstrip("+"), 0) for n in rows}
    over = {n: sent[n] - attempts for n, (_, attempts) in rows.items()}
    assert Counter(over.values()) == Counter({0: len(numbers)})
    with lossy.engine.connect() as conn:
        found = conn.execute(  # looked up after a lost answer, and found at the provider
            select(Batch.id).where(
                Batch.campaign_id == campaign_id,
                Batch.status == "completed",
                Batch.error_message.is_not(None),
            )
        ).all()
    assert len(found) >= 2


def test_a_number_that_opts_out_after_the_import_is_not_messaged(lossy: Stack) -> None:
    numbers = _numbers(20, 300)
    campaign_id = _create(numbers, send_at=datetime.now(UTC) + timedelta(seconds=4))
    opted_out = numbers[::50]
    with lossy.engine.begin() as conn:
        rows = [{"phone": n, "reason": "080 opt-out", "source": "sens", "created_at": utcnow()}
                for n in opted_out]  # fmt: skip
        conn.execute(insert(Suppression), rows)
    assert wait_until(lambda: _status(lossy, campaign_id) == "completed", 90), lossy.logs()
    sent = lossy.sim_stats("sens")["sent_to"]
    assert not [n for n in opted_out if n in sent]
    assert all(n in sent for n in numbers if n not in opted_out)
    report = campaign_report(lossy.engine, campaign_id)
    assert report.by_status.get("suppressed") == len(opted_out)


def test_a_campaign_cancelled_while_its_results_come_in_sends_nothing_more(lossy: Stack) -> None:
    numbers = _numbers(30, 1000)
    transient = [n for n in numbers if code_for(SEED, n) in TRANSIENT]
    assert transient
    _faults(lossy, "sens", complete_delay=3.0)  # results come after the cancel
    try:
        campaign_id = _create(numbers)
        everything_out = lambda: _sent_count(lossy, numbers) == len(numbers)  # noqa: E731
        assert wait_until(everything_out, 60, interval=0.1), lossy.logs()
        enqueue_cancel(get_settings(), campaign_id)
        assert wait_until(lambda: _status(lossy, campaign_id) == "cancelled", 30)
        # Results (transient ones included) arrive; re-sends would be due 2 s after them.
        assert wait_until(lambda: _all_final(lossy, campaign_id), 60), lossy.logs()
        time.sleep(6)  # beyond the re-send wait: whatever would be re-sent has been
    finally:
        _faults(lossy, "sens", complete_delay=0.5)
    sent = lossy.sim_stats("sens")["sent_to"]
    assert {sent[n] for n in numbers} == {1}
    rows = _recipients(lossy, campaign_id)
    assert {rows[n][0] for n in transient} == {"cancelled"}


def _sent_count(stack: Stack, numbers: list[str]) -> int:
    sent = stack.sim_stats("sens")["sent_to"]
    return sum(1 for n in numbers if n in sent)


def _all_final(stack: Stack, campaign_id: int) -> bool:
    final = {s.value for s in FINAL_RECIPIENT_STATUSES}
    return {status for status, _ in _recipients(stack, campaign_id).values()} <= final


def test_a_campaign_whose_producer_dies_mid_import_is_stopped_and_ends_final(
    lossy: Stack, tmp_path
) -> None:
    import signal
    import subprocess

    from tests.integration.test_create_when_broker_fails import (
        BLOCK,
        Feed,
        campaign_of,
        create_command,
        rows,
    )

    name = "producer-killed"
    numbers = _numbers(40, 3000)
    command = create_command(name, tmp_path / "list.csv")
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    process = subprocess.Popen(command, env=lossy.env, **pipes)
    feed = Feed(tmp_path / "list.csv", process)
    first = "phone,memo\n" + rows(numbers[:2000])
    feed.write(first + "\n" * (2 * BLOCK + 1 - len(first)))  # the first chunk commits
    landed = lambda: (c := campaign_of(lossy.engine, name)) is not None and c.total_recipients  # noqa: E731
    assert wait_until(landed, 30), process.poll()
    process.send_signal(signal.SIGKILL)  # the producer dies with the file half read
    process.wait()
    feed.close()
    campaign = campaign_of(lossy.engine, name)
    assert campaign is not None and campaign.imported_at is None
    assert wait_until(lambda: _status(lossy, campaign.id) == "cancelled", 60), lossy.logs()
    assert wait_until(lambda: _all_final(lossy, campaign.id), 60), lossy.logs()
