"""A 3,000-recipient campaign through real workers, beat, PostgreSQL and a provider's
simulator, once per broker (Redis, RabbitMQ) and provider of the registry (the same tests,
parametrised; each broker has a stack of its own).

The simulators make transient failures (handset off, shadow area, …) succeed on the second
attempt, so the campaign shows re-sends recovering and permanent failures staying put.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import requests
from sqlalchemy import Engine, select

import simulator.apiplex.outcomes
import simulator.nhn.outcomes
import simulator.outcomes
from config import providers
from producer.campaigns import create_campaign
from producer.report import campaign_report
from producer.sources import NumberList
from producer.spec import CampaignSpec
from tests.integration.conftest import SEED, STACKS, Stack, wait_until
from worker.db.models import Batch, Recipient
from worker.domain.codes import Outcome, lookup, matches

pytestmark = pytest.mark.integration

COUNT = 3000
TRANSIENT = simulator.outcomes.TRANSIENT  # the same numbers are transient on SENS and NHN
PERMANENT = {"3001", "3003", "3012"}  # the SENS and NHN simulators' permanent codes
CASES = [(broker, provider) for broker in STACKS for provider in providers.provider_names()]


def _apiplex_code(seed: int, number: str, attempt: int = 0, recover_after: int = 0) -> str:
    """What our client reads from the simulator's record: the service error where it names
    one (worker/providers/apiplex/payloads.judged_code), else the result id."""
    found = simulator.apiplex.outcomes.code_for(seed, number, attempt, recover_after)
    return str(found.status.id if found.delivered or found.error.id == 0 else found.error.id)


# Each simulator's code for the n-th message to a number.
CODE_FOR: dict[str, Callable[..., str]] = {
    "sens": simulator.outcomes.code_for,
    "nhn": simulator.nhn.outcomes.code_for,
    "apiplex": _apiplex_code,
}
DELIVERED = {"sens": "0", "nhn": "1000", "apiplex": "5"}
# A permanent failure each simulator's mix holds (unknown subscriber / number).
GONE = {"sens": "3001", "nhn": "3001", "apiplex": "1"}
SUCCESS_TITLES = {"Succeeded", "Success", "DELIVERED_TO_HANDSET"}


def numbers_of(provider: str) -> list[str]:
    if not providers.get(provider).capabilities.domestic:
        return [f"+447911{i:06d}" for i in range(COUNT)]  # API PLEX sends abroad only
    offset = providers.provider_names().index(provider)
    return [f"0107{offset}{i:06d}" for i in range(COUNT)]


def family_of(provider: str, code: str) -> str:
    if provider == "apiplex":
        return "result" if code in ("2", "5") else "service_error"
    return "reception" if provider == "nhn" else matches(provider, code)[0].family


def transient(provider: str, number: str) -> bool:
    """The simulator fails its first message for a reason worth a re-send."""
    if provider == "apiplex":
        return simulator.apiplex.outcomes.code_for(SEED, number).transient
    return simulator.outcomes.code_for(SEED, number) in TRANSIENT


def permanent(provider: str, number: str) -> bool:
    if provider == "apiplex":
        found = simulator.apiplex.outcomes.code_for(SEED, number)
        return not found.delivered and not found.transient
    return simulator.outcomes.code_for(SEED, number) in PERMANENT


def sim_key(number: str) -> str:
    """How the simulators' sent_to counters name a number (API PLEX's without the +)."""
    return number.lstrip("+")


@dataclass(frozen=True)
class Finished:
    """A completed campaign: the provider it went through, its id, and the stack that ran it."""

    provider: str
    campaign_id: int
    stack: Stack

    @property
    def engine(self) -> Engine:
        return self.stack.engine


@pytest.fixture(scope="module", params=CASES, ids=[f"{b}-{p}" for b, p in CASES])
def finished(request: pytest.FixtureRequest) -> Finished:
    """Created through the producer API on the broker's stack, and waited for."""
    broker, provider = request.param
    stack: Stack = request.getfixturevalue(STACKS[broker])
    spec = CampaignSpec(
        name=f"e2e-{provider}",
        sender="0212345678",
        template="안녕하세요, 배송이 시작되었습니다.",
        provider=provider,
    )
    with stack.settings():
        report = create_campaign(spec, NumberList(numbers_of(provider)))
    assert (report.read, report.imported, report.rejected) == (COUNT, COUNT, 0)
    done = wait_until(
        lambda: campaign_report(stack.engine, report.campaign_id).status == "completed", 180
    )
    assert done, f"campaign did not complete; logs:\n{stack.logs()}"
    return Finished(provider, report.campaign_id, stack)


def test_every_recipient_final_with_the_code_the_simulator_assigned(finished: Finished) -> None:
    provider, campaign_id = finished.provider, finished.campaign_id
    with finished.engine.connect() as conn:
        rows = conn.execute(
            select(
                Recipient.phone,
                Recipient.status,
                Recipient.result_code,
                Recipient.result_family,
                Recipient.message_id,
            ).where(Recipient.campaign_id == campaign_id)
        ).all()
    assert len(rows) == COUNT
    for phone, status, code, family, message_id in rows:
        expected = CODE_FOR[provider](SEED, phone, attempt=1, recover_after=1)  # after a re-send
        assert (code, family) == (expected, family_of(provider, expected)), phone
        delivered = lookup(provider, code, family).outcome is Outcome.DELIVERED
        assert status == ("delivered" if delivered else "failed"), phone
        assert message_id
    assert {code for _, _, code, _, _ in rows} >= {DELIVERED[provider], GONE[provider]}


def test_transient_failures_were_resent_once_and_permanent_ones_never(finished: Finished) -> None:
    provider, campaign_id = finished.provider, finished.campaign_id
    sent = finished.stack.sim_stats(provider)["sent_to"]
    numbers = numbers_of(provider)
    again = {n for n in numbers if transient(provider, n)}
    never = {n for n in numbers if permanent(provider, n)}
    assert again and never
    assert {sent[sim_key(n)] for n in again} == {2}
    assert {sent[sim_key(n)] for n in never} == {1}
    with finished.engine.connect() as conn:
        attempts = dict(
            conn.execute(
                select(Recipient.phone, Recipient.attempts).where(
                    Recipient.campaign_id == campaign_id
                )
            ).all()
        )
    assert {attempts[n] for n in again} == {2}


def test_batches_hold_at_most_the_providers_batch_and_all_completed(finished: Finished) -> None:
    provider, campaign_id = finished.provider, finished.campaign_id
    size = providers.get(provider).max_batch
    with finished.engine.connect() as conn:
        batches = conn.execute(
            select(
                Batch.attempt, Batch.recipient_count, Batch.status, Batch.request_id, Batch.provider
            ).where(Batch.campaign_id == campaign_id)
        ).all()
    first = [b for b in batches if b.attempt == 1]
    assert len(first) == COUNT // size
    assert all(b.recipient_count == size for b in first)
    assert all(b.recipient_count <= size for b in batches)
    assert {b.provider for b in batches} == {provider}
    assert {b.attempt for b in batches} == {1, 2}
    assert {b.status for b in batches} == {"completed"}
    assert len({b.request_id for b in batches}) == len(batches)


def test_no_message_was_sent_more_often_than_its_attempts(finished: Finished) -> None:
    provider = finished.provider
    stats = finished.stack.sim_stats(provider)
    numbers = numbers_of(provider)
    resends = sum(transient(provider, n) for n in numbers)
    # The only repeated (from, to, content) sends are the deliberate re-sends.
    assert stats["duplicate_messages"] == resends
    assert stats["messages_accepted"] == COUNT + resends


def test_report_counts_match(finished: Finished) -> None:
    provider = finished.provider
    report = campaign_report(finished.engine, finished.campaign_id)
    code_for = CODE_FOR[provider]
    codes = [code_for(SEED, n, 1, 1) for n in numbers_of(provider)]
    expected_delivered = sum(
        lookup(provider, code, family_of(provider, code)).outcome is Outcome.DELIVERED
        for code in codes
    )
    assert report.by_status.get("delivered") == expected_delivered
    assert report.final == report.total == COUNT
    titles = {line.code: line.title for line in report.by_code}
    assert titles[DELIVERED[provider]] in SUCCESS_TITLES
    assert {line.provider for line in report.by_code} == {provider}


def test_flower_lists_the_finished_tasks(finished: Finished) -> None:
    stack = finished.stack
    tasks = requests.get(f"{stack.flower_url}/api/tasks", auth=stack.flower_auth, timeout=10).json()
    names = {(t["name"], t["state"]) for t in tasks.values()}
    assert ("bulksms.plan_campaign", "SUCCESS") in names
    assert ("bulksms.send_batch", "SUCCESS") in names
    assert ("bulksms.poll_results", "SUCCESS") in names
