"""Every guard with two callers at once (real PostgreSQL, the SENS simulator over HTTP): a batch
claimed twice, a lease reaped mid-send and after it lapsed, a results page applied twice, a
re-send and a release run twice. Each asserts the exact outcome and that no number was sent twice.
"""

import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import Engine, func, select

from config.settings import PollSettings, ResendSettings, SendSettings
from scripts.simulated import sens_settings
from simulator.outcomes import TRANSIENT, code_for
from tests.concurrently import at_once
from tests.services.conftest import SEED, numbers, planned, sends_per_number, sim_call
from worker.db import batches, campaigns
from worker.db.models import Batch, DeliveryAttempt, Recipient, Suppression
from worker.db.types import utcnow
from worker.domain.codes import lookup
from worker.providers.base import SentRequest
from worker.providers.sens.client import SensClient
from worker.services.applying import apply_for_requests
from worker.services.cancelling import cancel_campaign
from worker.services.dispatch import Dispatcher, SendOutcome
from worker.services.reconciling import Reconciler
from worker.services.release import (
    hand_lapsed_to_lookup,
    release_due_batches,
    start_due_campaigns,
)
from worker.services.resending import resend_due

SEND = SendSettings(retry_backoff_seconds=[0.0], max_attempts=3, lookup_delay_seconds=0.0)
POLL = PollSettings(first_delay_seconds=0)
RESEND = ResendSettings(backoff_seconds=[0.0], jitter=0, max_attempts=3)
HOUR = timedelta(hours=1)


def _batch(engine: Engine, batch_id: int):
    with engine.connect() as conn:
        return conn.execute(select(Batch).where(Batch.id == batch_id)).one()


def _dispatcher(engine: Engine, simulator) -> Dispatcher:
    """A dispatcher of its own (its own client and session), as another worker process has."""
    return Dispatcher(engine, SensClient(sens_settings(simulator.base_url)), SEND, POLL)


def test_two_dispatchers_on_one_batch_at_once_send_it_once(
    engine, make_campaign, simulator
) -> None:
    [batch_id] = planned(engine, make_campaign(numbers(100, start=40_000)))
    # Each send takes 0.5 s at the provider: the second claim lands while the first is mid-send.
    sim_call(simulator, "POST", "/_sim/faults", {"slow_rate": 1.0, "slow_seconds": 0.5})
    first, second = _dispatcher(engine, simulator), _dispatcher(engine, simulator)
    outcomes = at_once(lambda: first.send_batch(batch_id), lambda: second.send_batch(batch_id))
    assert sorted(outcomes) == [SendOutcome.ACCEPTED, SendOutcome.SKIPPED]
    assert sim_call(simulator, "GET", "/_sim/stats")["requests_accepted"] == 1
    assert sends_per_number(simulator) == Counter({1: 100})
    batch = _batch(engine, batch_id)
    assert (batch.status, batch.send_attempts) == ("accepted", 1)


def test_the_reaper_leaves_a_send_in_flight_alone(engine, make_campaign, simulator) -> None:
    [batch_id] = planned(engine, make_campaign(numbers(100, start=41_000)))
    sim_call(simulator, "POST", "/_sim/faults", {"slow_rate": 1.0, "slow_seconds": 1.0})
    sender = _dispatcher(engine, simulator)

    def reap_mid_send() -> int:
        time.sleep(0.4)  # the claim is committed and the provider call under way
        assert _batch(engine, batch_id).status == "sending"
        return hand_lapsed_to_lookup(engine, timedelta(0))

    outcome, reaped, reaped_too = at_once(
        lambda: sender.send_batch(batch_id), reap_mid_send, reap_mid_send
    )
    assert (outcome, reaped, reaped_too) == (SendOutcome.ACCEPTED, 0, 0)
    assert _batch(engine, batch_id).status == "accepted"
    assert sends_per_number(simulator) == Counter({1: 100})


def test_after_the_lease_lapsed_nobody_sends_again_and_one_lookup_adopts_it(
    engine, make_campaign, simulator
) -> None:
    [batch_id] = planned(engine, make_campaign(numbers(100, start=42_000)))
    request_id = _die_after_the_provider_took_it(engine, simulator, batch_id)
    late = _dispatcher(engine, simulator)
    outcome, reaped, reaped_too = at_once(
        lambda: late.send_batch(batch_id),
        lambda: hand_lapsed_to_lookup(engine, timedelta(0)),
        lambda: hand_lapsed_to_lookup(engine, timedelta(0)),
    )
    assert (outcome, sorted([reaped, reaped_too])) == (SendOutcome.SKIPPED, [0, 1])
    client = SensClient(sens_settings(simulator.base_url))
    with engine.connect() as conn:
        [row] = [r for r in _unsure_due(conn) if r.id == batch_id]
    looked = at_once(*[lambda: Reconciler(engine, client, SEND, POLL).reconcile(row)] * 2)
    assert sorted(looked) == ["found", "skipped"]
    batch = _batch(engine, batch_id)
    assert (batch.status, batch.request_id, batch.send_attempts) == ("accepted", request_id, 1)
    assert sends_per_number(simulator) == Counter({1: 100})


def _die_after_the_provider_took_it(engine: Engine, simulator, batch_id: int) -> str:
    """What a worker does up to its death: claim with a lease that lapses at once, send, and
    write nothing more; the provider's request id."""
    from tests.services.test_reconciling import _request_of

    with engine.begin() as conn:
        batch = batches.claim(conn, batch_id, utcnow(), timedelta(seconds=-1))
    request, _ = _request_of(engine, batch)
    return SensClient(sens_settings(simulator.base_url)).send(request).request_id


def _unsure_due(conn) -> list:
    from worker.db import lookups

    return lookups.due(conn, "sens", utcnow(), 10)


def test_one_results_page_applied_twice_at_once_is_applied_once(
    engine, make_campaign, dispatcher, sens_client
) -> None:
    phones = numbers(100, start=43_000)
    campaign_id = make_campaign(phones)
    [batch_id] = planned(engine, campaign_id)
    assert dispatcher.send_batch(batch_id) is SendOutcome.ACCEPTED
    page = _completed_results(engine, sens_client, batch_id)
    codes = {result.to: result.code for result in page}
    assert codes == {phone: code_for(SEED, phone) for phone in phones}

    def apply():
        with engine.begin() as conn:
            return apply_for_requests(conn, "sens", page, RESEND, utcnow())

    runs = at_once(apply, apply)
    assert sorted(run.results for run in runs) == [0, 100]
    assert [run.completed for run in runs if run.results] == [[batch_id]]
    _assert_written_once(engine, campaign_id, batch_id, codes)


def _completed_results(engine: Engine, client: SensClient, batch_id: int) -> list:
    request = SentRequest(_batch(engine, batch_id).request_id)
    for _ in range(50):  # the simulator completes messages within 0.15 s
        page = list(client.results_for_request(request))
        if page and all(result.completed for result in page):
            return page
        time.sleep(0.1)
    raise AssertionError("the simulator never completed the batch's messages")


def _assert_written_once(
    engine: Engine, campaign_id: int, batch_id: int, codes: dict[str, str]
) -> None:
    retry = {phone for phone, code in codes.items() if code in TRANSIENT}
    gone = {phone for phone, code in codes.items() if lookup("sens", code, "report").suppress}
    assert retry and gone  # the seed's numbers hold both kinds: the counts below mean something
    with engine.connect() as conn:
        batch = conn.execute(select(Batch).where(Batch.id == batch_id)).one()
        history = conn.execute(
            select(DeliveryAttempt.phone, func.count()).group_by(DeliveryAttempt.phone)
        ).all()
        listed = set(conn.execute(select(Suppression.phone)).scalars())
        waiting = conn.execute(
            select(Recipient.phone).where(
                Recipient.campaign_id == campaign_id, Recipient.status == "retry_wait"
            )
        ).scalars()
        assert (batch.status, batch.settled) == ("completed", 100)
        assert dict(history) == {phone: 1 for phone in codes}
        assert listed == gone
        assert set(waiting) == retry


def test_two_resend_rounds_at_once_batch_each_transient_number_once(
    engine, make_campaign, dispatcher, sens_client
) -> None:
    phones = numbers(300, start=44_000)
    campaign_id = make_campaign(phones)
    for batch_id in planned(engine, campaign_id):
        assert dispatcher.send_batch(batch_id) is SendOutcome.ACCEPTED
        page = _completed_results(engine, sens_client, batch_id)
        with engine.begin() as conn:
            apply_for_requests(conn, "sens", page, RESEND, utcnow())
    transient = {phone for phone in phones if code_for(SEED, phone) in TRANSIENT}
    published: list = []
    runs = at_once(*[lambda: resend_due(engine, lambda _: 100, HOUR, published.extend)] * 2)
    # Each round locks what it takes and skips what the other holds: they may share the
    # recipients out between them, but never take one twice.
    assert sum(runs) == len(transient)
    with engine.connect() as conn:
        members = conn.execute(
            select(Recipient.phone, Recipient.batch_id).where(
                Recipient.campaign_id == campaign_id, Recipient.status == "batched"
            )
        ).all()
    assert sorted(phone for phone, _ in members) == sorted(transient)
    assert {job.batch_id for job in published} == {batch for _, batch in members}
    assert len(published) == len({job.batch_id for job in published})


def test_two_releases_at_once_publish_each_due_batch_once(engine, make_campaign) -> None:
    ids = planned(engine, make_campaign(numbers(500, start=45_000)))
    with engine.begin() as conn:
        conn.execute(
            Batch.__table__.update()
            .where(Batch.id.in_(ids))
            .values(status="retry", next_attempt_at=utcnow() - timedelta(seconds=1))
        )
    published: list = []
    runs = at_once(*[lambda: release_due_batches(engine, HOUR, published.extend)] * 2)
    assert sorted(runs) == [0, len(ids)]
    assert sorted(job.batch_id for job in published) == sorted(ids)


def test_a_send_that_outlives_its_lease_keeps_the_answer_it_got(
    engine, make_campaign, simulator
) -> None:
    [batch_id] = planned(engine, make_campaign(numbers(100, start=46_000)))
    # The provider records the send at once but answers 1.5 s later; the lease is 0.3 s.
    sim_call(simulator, "POST", "/_sim/faults", {"lost_rate": 1.0, "lost_seconds": 1.5})
    short = SendSettings(lease_seconds=0.3, lookup_delay_seconds=60.0)
    sender = Dispatcher(engine, SensClient(sens_settings(simulator.base_url)), short, POLL)

    def reap_after_the_lease() -> int:
        time.sleep(0.8)
        return hand_lapsed_to_lookup(engine, timedelta(seconds=60))

    outcome, reaped = at_once(lambda: sender.send_batch(batch_id), reap_after_the_lease)
    assert (outcome, reaped) == (SendOutcome.ACCEPTED, 1)
    batch = _batch(engine, batch_id)
    assert (batch.status, batch.next_attempt_at) == ("accepted", None)
    client = SensClient(sens_settings(simulator.base_url))
    assert len(list(client.results_for_request(SentRequest(batch.request_id)))) == 100
    assert sends_per_number(simulator) == Counter({1: 100})


def test_two_cancels_at_once_cancel_once(engine, make_campaign, simulator) -> None:
    campaign_id = make_campaign(numbers(300, start=47_000))
    planned(engine, campaign_id)
    client = SensClient(sens_settings(simulator.base_url))
    runs = at_once(*[lambda: cancel_campaign(engine, lambda _: client, campaign_id)] * 2)
    # A cancel may run again (after a crash mid-cancel): the second finds nothing left to stop.
    assert sorted(run.recipients for run in runs) == [0, 300]
    with engine.connect() as conn:
        assert campaigns.status_counts(conn, campaign_id) == {"cancelled": 300}
        assert campaigns.get(conn, campaign_id).status == "cancelled"


def test_a_cancel_beside_two_senders_leaves_each_number_sent_once_or_cancelled(
    engine, make_campaign, simulator
) -> None:
    phones = numbers(600, start=48_000)
    campaign_id = make_campaign(phones)
    ids = planned(engine, campaign_id)
    sim_call(simulator, "POST", "/_sim/faults", {"slow_rate": 1.0, "slow_seconds": 0.2})
    client = SensClient(sens_settings(simulator.base_url))
    first, second = _dispatcher(engine, simulator), _dispatcher(engine, simulator)

    def cancel_mid_campaign() -> object:
        time.sleep(0.3)  # some batches went out, one is in flight, the rest wait
        return cancel_campaign(engine, lambda _: client, campaign_id)

    at_once(
        lambda: [first.send_batch(batch_id) for batch_id in ids],
        lambda: [second.send_batch(batch_id) for batch_id in reversed(ids)],
        cancel_mid_campaign,
    )
    sent = sim_call(simulator, "GET", "/_sim/stats")["sent_to"]
    with engine.connect() as conn:
        counts = campaigns.status_counts(conn, campaign_id)
    assert set(counts) == {"accepted", "cancelled"} and sum(counts.values()) == 600
    assert set(sent.values()) == {1}
    assert len(sent) == counts["accepted"]  # sent: exactly those in accepted batches


def test_two_beats_at_once_start_a_scheduled_campaign_once(engine, make_campaign) -> None:
    send_at = (utcnow() + HOUR).replace(microsecond=0)
    campaign_id = make_campaign(numbers(3, start=49_000), send_at=send_at)
    runs = at_once(*[lambda: start_due_campaigns(engine, send_at)] * 2)
    assert sorted(runs) == [[], [campaign_id]]
