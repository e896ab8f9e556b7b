"""Exactly once when the provider's answer is lost: a send that may have reached the provider is
looked up there before anything is sent again (real PostgreSQL, the SENS simulator over HTTP)."""

import logging
import threading
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, insert, select, update

from config.settings import PollSettings, SendSettings
from scripts.simulated import sens_settings
from tests.fake_provider import FakeProvider, FakeSend
from tests.services.conftest import numbers, planned, sends_per_number, sim_call
from worker.db import batches, campaigns, lookups
from worker.db.models import Batch, Campaign, Recipient, Suppression
from worker.db.types import utcnow
from worker.providers.base import SendReceipt, SendRequest, SentProbe
from worker.providers.errors import ProviderError
from worker.providers.sens.client import SensClient
from worker.services import dispatch, reconciling
from worker.services.dispatch import Dispatcher, SendOutcome
from worker.services.reconciling import Reconciler
from worker.services.release import hand_lapsed_to_lookup, release_due_batches

# Looked up at once, in tests; a real provider gets a minute.
SEND = SendSettings(retry_backoff_seconds=[0.0], max_attempts=3, lookup_delay_seconds=0.0)
POLL = PollSettings(first_delay_seconds=0)


def _batch(engine: Engine, batch_id: int) -> dict:
    with engine.connect() as conn:
        return conn.execute(select(Batch).where(Batch.id == batch_id)).one()._asdict()


@pytest.fixture()
def client(simulator) -> SensClient:
    return SensClient(sens_settings(simulator.base_url, read_timeout=0.3))


@pytest.fixture()
def sending(engine: Engine, client: SensClient) -> Dispatcher:
    return Dispatcher(engine, client, SEND, POLL)


@pytest.fixture()
def reconciler(engine: Engine, client: SensClient) -> Reconciler:
    return Reconciler(engine, client, SEND, POLL)


def _release(engine: Engine) -> list[int]:
    published: list = []
    release_due_batches(engine, timedelta(hours=1), published.extend, idle=["sens"])
    return [job.batch_id for job in published]


def test_a_lost_answer_is_found_at_the_provider_and_never_sent_again(
    engine, make_campaign, sending, reconciler, simulator
) -> None:
    [batch_id] = planned(engine, make_campaign(numbers(100, start=1000)))
    sim_call(simulator, "POST", "/_sim/faults", {"lost_rate": 1.0, "lost_seconds": 1.0})
    assert sending.send_batch(batch_id) is SendOutcome.UNSURE
    assert _batch(engine, batch_id)["status"] == "unsure"
    assert _release(engine) == []  # never published again while unsure
    sim_call(simulator, "POST", "/_sim/faults", {"lost_rate": 0.0})
    assert reconciler.reconcile_due() == Counter(found=1)
    batch = _batch(engine, batch_id)
    assert batch["status"] == "accepted" and batch["request_id"].startswith("RSSA-")
    assert sending.send_batch(batch_id) is SendOutcome.SKIPPED
    assert sends_per_number(simulator) == Counter({1: 100})


def test_a_claim_that_never_reached_the_provider_is_sent_once_after_the_lookup(
    engine, make_campaign, sending, reconciler, simulator
) -> None:
    [batch_id] = planned(engine, make_campaign(numbers(100, start=2000)))
    with engine.begin() as conn:  # a worker claims the batch and dies before its call
        assert batches.claim(conn, batch_id, utcnow(), timedelta(seconds=-1)) is not None
    assert sending.send_batch(batch_id) is SendOutcome.SKIPPED  # its redelivered task
    assert hand_lapsed_to_lookup(engine, timedelta(0)) == 1
    assert reconciler.reconcile_due() == Counter(absent=1)
    assert _release(engine) == [batch_id]
    assert sending.send_batch(batch_id) is SendOutcome.ACCEPTED
    assert sends_per_number(simulator) == Counter({1: 100})


def test_a_worker_that_died_after_the_provider_took_the_request_is_not_sent_twice(
    engine, make_campaign, client, reconciler, simulator
) -> None:
    [batch_id] = planned(engine, make_campaign(numbers(100, start=3000)))
    # What a worker does up to its death: claim, then the provider call; no accept written.
    with engine.begin() as conn:
        batch = batches.claim(conn, batch_id, utcnow(), timedelta(seconds=-1))
    request, _ = _request_of(engine, batch)
    request_id = client.send(request).request_id
    assert hand_lapsed_to_lookup(engine, timedelta(0)) == 1
    assert reconciler.reconcile_due() == Counter(found=1)
    assert _batch(engine, batch_id)["request_id"] == request_id
    assert _release(engine) == []
    assert sends_per_number(simulator) == Counter({1: 100})


def _request_of(engine: Engine, batch) -> tuple:
    from worker.db import recipients
    from worker.db.members import BatchRef
    from worker.services.rendering import build_request

    with engine.connect() as conn:
        campaign = campaigns.get(conn, batch.campaign_id)
        rows = recipients.members(conn, BatchRef.of(batch))
    request = build_request(campaign, batch, rows).request
    return dispatch.replace(request, attempt=batch.send_attempts), campaign


def test_two_lookups_of_one_batch_at_once_adopt_it_once(
    engine, make_campaign, sending, client, simulator
) -> None:
    [batch_id] = planned(engine, make_campaign(numbers(100, start=4000)))
    sim_call(simulator, "POST", "/_sim/faults", {"lost_rate": 1.0, "lost_seconds": 1.0})
    assert sending.send_batch(batch_id) is SendOutcome.UNSURE
    sim_call(simulator, "POST", "/_sim/faults", {"lost_rate": 0.0})
    with engine.connect() as conn:
        [row] = [r for r in _due(conn) if r.id == batch_id]
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def look() -> None:
        start.wait()
        outcomes.append(Reconciler(engine, client, SEND, POLL).reconcile(row))

    threads = [threading.Thread(target=look) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["found", "skipped"]
    assert _batch(engine, batch_id)["status"] == "accepted"


def _due(conn) -> list:
    from worker.db import lookups

    return lookups.due(conn, "sens", utcnow(), 10)


def test_an_error_before_the_call_retries_the_batch_instead_of_stranding_it(
    engine, make_campaign, sending, simulator, monkeypatch
) -> None:
    [batch_id] = planned(engine, make_campaign(numbers(100, start=5000)))

    def broken(*_: object) -> None:
        raise ValueError("a bug while rendering")

    monkeypatch.setattr(dispatch, "build_request", broken)
    assert sending.send_batch(batch_id) is SendOutcome.RETRY
    assert _batch(engine, batch_id)["status"] == "retry"
    monkeypatch.undo()
    assert _release(engine) == [batch_id]
    assert sending.send_batch(batch_id) is SendOutcome.ACCEPTED
    assert sends_per_number(simulator) == Counter({1: 100})


def test_a_provider_that_cannot_be_asked_leaves_its_recipients_unknown(
    engine, make_campaign, caplog
) -> None:
    campaign_id = make_campaign(numbers(100, start=6000))
    [batch_id] = planned(engine, campaign_id)
    with engine.begin() as conn:
        conn.execute(update(Batch).where(Batch.id == batch_id).values(provider="sens"))
        batches.claim(conn, batch_id, utcnow(), timedelta(seconds=-1))
    hand_lapsed_to_lookup(engine, timedelta(0))
    blind = FakeProvider("sens", lambda _: ("0", "reception"))  # no find_sent: CannotTell
    with caplog.at_level(logging.ERROR, logger="worker.services.reconciling"):
        assert Reconciler(engine, blind, SEND, POLL).reconcile_due() == Counter(unknown=1)
    said = f"batch={batch_id} may or may not have been sent (sens offers no lookup of sent"
    assert said in caplog.text and "its recipients are unknown, for an operator" in caplog.text
    with engine.connect() as conn:
        counts = campaigns.status_counts(conn, campaign_id)
    assert counts == {"unknown": 100}
    batch = _batch(engine, batch_id)
    assert (batch["status"], batch["error_code"]) == ("unknown", "UNKNOWN")
    assert batch["completed_at"] is not None and batch["settled"] == 100
    # No webhook was awaited: the operator is told only why it could not be asked.
    assert batch["error_message"] == "sens offers no lookup of sent requests"
    assert _codes(engine, campaign_id) == {("UNKNOWN", True)}
    with engine.connect() as conn:
        campaign = campaigns.get(conn, campaign_id)
    assert campaign.status == "completed" and campaign.completed_at is not None
    assert blind.sends == []


def test_a_number_listed_after_the_import_is_not_messaged(
    engine, make_campaign, sending, simulator
) -> None:
    listed = numbers(3, start=7000)
    campaign_id = make_campaign(numbers(100, start=7000))
    [batch_id] = planned(engine, campaign_id)
    with engine.begin() as conn:
        rows = [
            {"phone": n, "reason": "080 opt-out", "source": "test", "created_at": utcnow()}
            for n in listed
        ]
        conn.execute(insert(Suppression), rows)
    assert sending.send_batch(batch_id) is SendOutcome.ACCEPTED
    sent = sim_call(simulator, "GET", "/_sim/stats")["sent_to"]
    assert len(sent) == 97 and not set(listed) & set(sent)
    with engine.connect() as conn:
        counts = campaigns.status_counts(conn, campaign_id)
        settled = conn.execute(select(Batch.settled).where(Batch.id == batch_id)).scalar()
        codes = conn.execute(
            select(Recipient.result_code).where(Recipient.phone.in_(listed))
        ).scalars()
        assert set(codes) == {"SUPPRESSED"}
    assert counts == {"suppressed": 3, "accepted": 97} and settled == 3


def test_an_absent_send_of_a_cancelled_campaign_is_cancelled_not_sent(
    engine, make_campaign, client, reconciler, simulator
) -> None:
    campaign_id = make_campaign(numbers(100, start=8000))
    [batch_id] = planned(engine, campaign_id)
    with engine.begin() as conn:
        batches.claim(conn, batch_id, utcnow(), timedelta(seconds=-1))
        conn.execute(update(Campaign).where(Campaign.id == campaign_id).values(status="cancelled"))
    hand_lapsed_to_lookup(engine, timedelta(0))
    assert reconciler.reconcile_due() == Counter(cancelled=1)
    with engine.connect() as conn:
        assert campaigns.status_counts(conn, campaign_id) == {"cancelled": 100}
    assert _batch(engine, batch_id)["completed_at"] is not None
    assert _codes(engine, campaign_id) == {("CANCELLED", True)}
    assert sim_call(simulator, "GET", "/_sim/stats")["messages_accepted"] == 0


def test_the_same_text_to_the_same_number_by_another_batch_is_not_adopted(
    engine, make_campaign, sending, reconciler, simulator
) -> None:
    same = numbers(1, start=9000)
    [earlier] = planned(engine, make_campaign(same))
    assert sending.send_batch(earlier) is SendOutcome.ACCEPTED
    [lost] = planned(engine, make_campaign(same))  # another campaign, the same message
    sim_call(simulator, "POST", "/_sim/faults", {"lost_rate": 1.0, "lost_seconds": 1.0})
    assert sending.send_batch(lost) is SendOutcome.UNSURE
    sim_call(simulator, "POST", "/_sim/faults", {"lost_rate": 0.0})
    assert reconciler.reconcile_due() == Counter(found=1)
    first, second = _batch(engine, earlier)["request_id"], _batch(engine, lost)["request_id"]
    assert second and second != first
    assert sim_call(simulator, "GET", "/_sim/stats")["requests_accepted"] == 2


def _codes(engine: Engine, campaign_id: int) -> set[tuple[str, bool]]:
    """(result code, completed) of the campaign's recipients."""
    with engine.connect() as conn:
        query = select(Recipient.result_code, Recipient.completed_at.is_not(None)).where(
            Recipient.campaign_id == campaign_id
        )
        return {tuple(row) for row in conn.execute(query)}


def _lapsed(engine: Engine, campaign_id: int, claimed: datetime | None = None) -> int:
    """A planned batch of the campaign, claimed (now, or at `claimed`) by a worker that died:
    unsure, due now."""
    [batch_id] = planned(engine, campaign_id)
    with engine.begin() as conn:
        batches.claim(conn, batch_id, claimed or utcnow(), timedelta(seconds=-1))
    assert hand_lapsed_to_lookup(engine, timedelta(0)) == 1
    return batch_id


def test_a_failed_lookup_is_asked_again_on_the_ladder_then_left_unknown(
    engine, make_campaign, client, simulator
) -> None:
    ladder = {"max_lookups": 3, "lookup_backoff_seconds": [100.0, 1000.0]}
    send = SEND.model_copy(update=ladder)
    reconciler = Reconciler(engine, client, send, POLL)
    campaign_id = make_campaign(numbers(100, start=9000))
    batch_id = _lapsed(engine, campaign_id)
    sim_call(simulator, "POST", "/_sim/faults", {"rate_5xx": 1.0})
    before = utcnow()
    assert reconciler.reconcile_due() == Counter(later=1)
    batch = _batch(engine, batch_id)
    assert (batch["status"], batch["lookups"]) == ("unsure", 1)
    wait = batch["next_attempt_at"] - before
    assert timedelta(seconds=80) <= wait <= timedelta(seconds=121)  # the first rung, ±20 %
    assert "500" in batch["error_message"]
    assert reconciler.reconcile_due() == Counter()  # not due yet
    with engine.begin() as conn:
        conn.execute(update(Batch).where(Batch.id == batch_id).values(next_attempt_at=utcnow()))
    before = utcnow()
    assert reconciler.reconcile_due() == Counter(later=1)
    wait = _batch(engine, batch_id)["next_attempt_at"] - before
    assert timedelta(seconds=800) <= wait <= timedelta(seconds=1201)  # the second rung
    with engine.begin() as conn:
        conn.execute(update(Batch).where(Batch.id == batch_id).values(next_attempt_at=utcnow()))
    assert reconciler.reconcile_due() == Counter(unknown=1)  # the third of three failed
    batch = _batch(engine, batch_id)
    assert batch["status"] == "unknown" and batch["error_message"].startswith("3 lookups failed")
    assert batch["completed_at"] is not None
    assert _codes(engine, campaign_id) == {("UNKNOWN", True)}
    with engine.connect() as conn:
        assert campaigns.status_counts(conn, campaign_id) == {"unknown": 100}
    assert sim_call(simulator, "GET", "/_sim/stats")["messages_accepted"] == 0


def test_an_unsure_batch_left_without_open_members_completes_without_a_lookup(
    engine, make_campaign, reconciler, simulator
) -> None:
    campaign_id = make_campaign(numbers(100, start=9500))
    batch_id = _lapsed(engine, campaign_id)
    with engine.begin() as conn:  # every member suppressed meanwhile
        conn.execute(update(Recipient).where(Recipient.campaign_id == campaign_id)
                     .values(status="suppressed", batch_id=batch_id))  # fmt: skip
        conn.execute(update(Batch).where(Batch.id == batch_id).values(settled=100))
    assert reconciler.reconcile_due() == Counter(empty=1)
    batch = _batch(engine, batch_id)
    assert batch["status"] == "completed" and batch["completed_at"] is not None
    with engine.connect() as conn:
        campaign = campaigns.get(conn, campaign_id)
    assert campaign.status == "completed" and campaign.completed_at is not None
    assert sim_call(simulator, "GET", "/_sim/stats")["list_queries"] == 0


def test_a_send_that_cannot_be_looked_up_waits_for_its_webhook_results_then_is_unknown(
    engine, make_campaign
) -> None:
    campaign_id = make_campaign(numbers(100, start=9700))
    claimed = utcnow() - timedelta(seconds=100)
    batch_id = _lapsed(engine, campaign_id, claimed)
    blind = FakeProvider("sens", lambda _: ("0", "reception"))  # no find_sent: CannotTell
    poll = POLL.model_copy(update={"webhook_first_delay_seconds": 600.0})
    pushed = Reconciler(engine, blind, SEND, poll, pushed=True)
    assert pushed.reconcile_due() == Counter(waiting=1)
    batch = _batch(engine, batch_id)
    # Asked again when the results of a send claimed then are due (the claim, not now).
    assert batch["status"] == "unsure" and batch["lookups"] == 1
    assert batch["next_attempt_at"] == claimed + timedelta(seconds=600)
    assert batch["error_message"].endswith(": waiting for its webhook results")
    with engine.begin() as conn:  # no webhook came by then
        earlier = claimed - timedelta(hours=1)
        conn.execute(update(Batch).where(Batch.id == batch_id)
                     .values(next_attempt_at=utcnow(), claimed_at=earlier))  # fmt: skip
    assert pushed.reconcile_due() == Counter(unknown=1)
    assert _batch(engine, batch_id)["error_message"].endswith("; no webhook result came")


def test_a_found_send_keeps_its_claim_time_and_is_polled_after_the_first_delay(
    engine, make_campaign, client, simulator
) -> None:
    [batch_id] = planned(engine, make_campaign(numbers(100, start=3500)))
    claimed = utcnow() - timedelta(seconds=30)
    with engine.begin() as conn:  # a worker claimed it, the provider took it, the worker died
        batch = batches.claim(conn, batch_id, claimed, timedelta(seconds=-1))
    client.send(_request_of(engine, batch)[0])
    assert hand_lapsed_to_lookup(engine, timedelta(0)) == 1
    poll = POLL.model_copy(update={"first_delay_seconds": 40.0})
    before = utcnow()
    assert Reconciler(engine, client, SEND, poll).reconcile_due() == Counter(found=1)
    batch = _batch(engine, batch_id)
    assert batch["sent_at"] == claimed and batch["http_status"] == 202
    assert batch["next_poll_at"] >= before + timedelta(seconds=40)


class _AcceptedMeanwhile(SensClient):
    """A lookup that finds nothing while a webhook result accepts the batch meanwhile."""

    def __init__(self, client: SensClient, engine: Engine) -> None:
        self.__dict__.update(client.__dict__)
        self.engine = engine

    def find_sent(self, probe: SentProbe) -> list[str]:
        with self.engine.begin() as conn:
            lookups.found_by_webhook(conn, "sens", [probe.batch_id], utcnow())
        return super().find_sent(probe)


@pytest.mark.parametrize("campaign_status", ["dispatching", "cancelled"])
def test_an_absent_answer_for_a_batch_accepted_meanwhile_changes_nothing(
    engine, make_campaign, client, simulator, campaign_status: str
) -> None:
    campaign_id = make_campaign(numbers(100, start=8500))
    batch_id = _lapsed(engine, campaign_id)
    with engine.begin() as conn:
        conn.execute(
            update(Campaign).where(Campaign.id == campaign_id).values(status=campaign_status)
        )
    raced = Reconciler(engine, _AcceptedMeanwhile(client, engine), SEND, POLL)
    assert raced.reconcile_due() == Counter(skipped=1)
    batch = _batch(engine, batch_id)
    assert (batch["status"], batch["request_id"]) == ("accepted", f"echo:{batch_id}")
    assert _release(engine) == []


class _FailingLookup(FakeProvider):
    """A provider whose lookup fails with a long error text."""

    def find_sent(self, probe: SentProbe) -> list[str]:
        raise ProviderError("x" * 600, provider=self.name, status=500)


def test_a_long_lookup_error_is_cut_to_fit_the_batch(engine, make_campaign) -> None:
    campaign_id = make_campaign(numbers(100, start=9600))
    batch_id = _lapsed(engine, campaign_id)
    failing = _FailingLookup("sens", lambda _: ("0", "reception"))
    once = SEND.model_copy(update={"max_lookups": 1})
    assert Reconciler(engine, failing, once, POLL).reconcile_due() == Counter(unknown=1)
    batch = _batch(engine, batch_id)
    assert batch["status"] == "unknown" and len(batch["error_message"]) == 500


def test_a_send_whose_webhook_wait_ends_right_now_is_unknown(
    engine, make_campaign, monkeypatch
) -> None:
    campaign_id = make_campaign(numbers(100, start=9800))
    claimed = utcnow() - timedelta(seconds=100)
    batch_id = _lapsed(engine, campaign_id, claimed)
    with engine.connect() as conn:
        [row] = _due(conn)
    poll = POLL.model_copy(update={"webhook_first_delay_seconds": 50.0})
    blind = FakeProvider("sens", lambda _: ("0", "reception"))  # no find_sent: CannotTell
    monkeypatch.setattr(reconciling, "utcnow", lambda: claimed + timedelta(seconds=50))
    assert Reconciler(engine, blind, SEND, poll, pushed=True).reconcile(row) == "unknown"
    assert _batch(engine, batch_id)["status"] == "unknown"


def test_a_round_looks_up_at_most_its_limit_and_leaves_the_rest_for_the_next(
    engine, make_campaign, reconciler
) -> None:
    first = _lapsed(engine, make_campaign(numbers(100, start=9900)))
    second = _lapsed(engine, make_campaign(numbers(100, start=9950)))
    assert reconciler.reconcile_due(limit=1) == Counter(absent=1)
    assert [_batch(engine, b)["status"] for b in (first, second)] == ["retry", "unsure"]
    assert reconciler.reconcile_due(limit=1) == Counter(absent=1)


def test_a_send_only_another_batch_matches_is_absent_and_sent_once_more(
    engine, make_campaign, sending, reconciler, simulator
) -> None:
    same = numbers(1, start=9700)
    [earlier] = planned(engine, make_campaign(same))
    assert sending.send_batch(earlier) is SendOutcome.ACCEPTED
    # Another campaign, the same text to the same number: its worker died before its call,
    # so the only request the lookup lists is the earlier batch's.
    lost = _lapsed(engine, make_campaign(same))
    assert reconciler.reconcile_due() == Counter(absent=1)
    assert _release(engine) == [lost]
    assert sending.send_batch(lost) is SendOutcome.ACCEPTED
    assert sim_call(simulator, "GET", "/_sim/stats")["requests_accepted"] == 2


class _Listing(FakeProvider):
    """A provider that lists what it took by every field a probe names, as the real ones
    filter: sender, type and request time (SENS `from`, `type`, requestStartTime/EndTime,
    seed 003; NHN sendNo and our batch and attempt as senderGroupingKey), number and text."""

    def __init__(self) -> None:
        super().__init__("sens", lambda _: ("0", "reception"))
        self.taken_at: dict[str, datetime] = {}

    def _send(self, request: SendRequest) -> SendReceipt:
        receipt = super()._send(request)
        self.taken_at[receipt.request_id] = utcnow()
        return receipt

    def find_sent(self, probe: SentProbe) -> list[str]:
        return [s.request_id for s in self.sends if s.request_id and _lists(s, probe)
                and probe.since <= self.taken_at[s.request_id] <= probe.until]  # fmt: skip


def _lists(sent: FakeSend, probe: SentProbe) -> bool:
    request = sent.request
    asked = (probe.sender, probe.message_type, probe.batch_id, probe.attempt)
    held = (request.sender, request.message_type, request.batch_id, request.attempt)
    return held == asked and any((m.to, m.content) == (probe.to, probe.content)
                                 for m in request.messages)  # fmt: skip


def test_a_send_taken_late_in_its_lease_is_found_by_a_lookup_minutes_later(
    engine, make_campaign, monkeypatch
) -> None:
    [batch_id] = planned(engine, make_campaign(numbers(100, start=9650)))
    # The worker claimed it 100 s ago (lease 120 s), its call reached the provider just now,
    # then the worker died; the lookup runs five minutes later (a beat backlog, failed tries).
    claimed = utcnow() - timedelta(seconds=100)
    with engine.begin() as conn:
        batch = batches.claim(conn, batch_id, claimed, timedelta(seconds=-1))
    provider = _Listing()
    request_id = provider.send(_request_of(engine, batch)[0]).request_id
    assert hand_lapsed_to_lookup(engine, timedelta(0)) == 1
    later = utcnow() + timedelta(minutes=5)
    monkeypatch.setattr(reconciling, "utcnow", lambda: later)
    assert Reconciler(engine, provider, SEND, POLL).reconcile_due() == Counter(found=1)
    assert _batch(engine, batch_id)["request_id"] == request_id
    assert _release(engine) == []
