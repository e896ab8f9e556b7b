"""Failover re-cuts recipients, not requests: a sick provider's unsent batches of an auto
campaign become batches of the next provider at its own size; nothing that may have been sent
moves (real PostgreSQL; the next provider is a scripted client)."""

import threading
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import Engine, select, update

from config.settings import PollSettings, SendSettings
from tests.fake_provider import FakeProvider
from tests.services.conftest import numbers
from worker.db import batches
from worker.db.models import Batch, Campaign
from worker.db.types import utcnow
from worker.services import failover
from worker.services.dispatch import Dispatcher, SendOutcome
from worker.services.failover import fail_over, routed_next
from worker.services.lateness import late_share
from worker.services.planning import plan_campaign

HOUR = timedelta(hours=1)
SIZES = {"sens": 100, "nhn": 1000}


def _auto_campaign(engine: Engine, make_campaign, count: int, start: int) -> tuple[int, list]:
    campaign_id = make_campaign(numbers(count, start=start))
    with engine.begin() as conn:
        conn.execute(update(Campaign).where(Campaign.id == campaign_id).values(provider="auto"))
    published: list = []
    plan_campaign(engine, campaign_id, SIZES.get, HOUR, published.extend, lambda *_: "sens")
    return campaign_id, [job.batch_id for job in published]


def _to_nhn(*_: object) -> str:
    return "nhn"


def _fail_over(engine: Engine, published: list) -> int:
    return fail_over(engine, "sens", _to_nhn, SIZES.__getitem__, HOUR, published.extend)


def _batches(engine: Engine, campaign_id: int) -> Counter:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Batch.provider, Batch.status, Batch.recipient_count).where(
                Batch.campaign_id == campaign_id
            )
        ).all()
    return Counter((r.provider, r.status, r.recipient_count) for r in rows)


def _settled(engine: Engine, campaign_id: int, status: str) -> set[int]:
    with engine.connect() as conn:
        query = select(Batch.settled).where(
            Batch.campaign_id == campaign_id, Batch.status == status
        )
        return set(conn.execute(query).scalars())


def test_unsent_batches_are_recut_at_the_next_providers_size_and_sent_once(
    engine, make_campaign
) -> None:
    campaign_id, sens_batches = _auto_campaign(engine, make_campaign, 1500, 10_000)
    other_id, _ = _auto_campaign(engine, make_campaign, 120, 12_000)
    published: list = []
    asked: list[tuple] = []

    def next_provider(sick: str, batch: object, message_type: str) -> str:
        asked.append((sick, batch.campaign_id, message_type))  # type: ignore[attr-defined]
        return "nhn"

    moved = fail_over(engine, "sens", next_provider, SIZES.__getitem__, HOUR, published.extend)
    assert moved == 1620  # both campaigns' groups
    assert sorted(asked) == sorted([("sens", campaign_id, "SMS"), ("sens", other_id, "SMS")])
    assert _batches(engine, campaign_id) == Counter(
        {("sens", "rerouted", 100): 15, ("nhn", "planned", 1000): 1, ("nhn", "planned", 500): 1}
    )
    assert sorted((job.provider, job.recipients) for job in published) == [
        ("nhn", 120), ("nhn", 500), ("nhn", 1000)]  # fmt: skip
    # The per-sender rate limit keys on the campaign's sender, read by no one else.
    assert {job.sender for job in published} == {"0212345678"}
    assert _settled(engine, campaign_id, "rerouted") == {100}  # each left its batch
    published = [job for job in published if job.recipients != 120]
    nhn = FakeProvider("nhn", lambda _: ("1000", "reception"))
    dispatcher = Dispatcher(engine, nhn, SendSettings(), PollSettings(first_delay_seconds=0))
    assert [dispatcher.send_batch(job.batch_id) for job in published] == [SendOutcome.ACCEPTED] * 2
    sent = [m.to for send in nhn.sends for m in send.request.messages]
    assert sorted(sent) == numbers(1500, start=10_000)
    # The moved SENS batches never go out: their tasks find them rerouted.
    sens = FakeProvider("sens", lambda _: ("0", "reception"))
    sens_dispatcher = Dispatcher(engine, sens, SendSettings(), PollSettings())
    assert {sens_dispatcher.send_batch(b) for b in sens_batches} == {SendOutcome.SKIPPED}
    assert sens.sends == []


def test_a_batch_that_may_have_reached_the_sick_provider_stays_for_its_lookup(
    engine, make_campaign
) -> None:
    campaign_id, sens_batches = _auto_campaign(engine, make_campaign, 300, 20_000)
    with engine.begin() as conn:  # one being sent, one unsure: both may be at SENS
        batches.claim(conn, sens_batches[0], utcnow(), HOUR)
        batches.claim(conn, sens_batches[1], utcnow(), HOUR)
        conn.execute(update(Batch).where(Batch.id == sens_batches[1]).values(status="unsure"))
    assert _fail_over(engine, []) == 100
    assert _batches(engine, campaign_id) == Counter(
        {
            ("sens", "sending", 100): 1,
            ("sens", "unsure", 100): 1,
            ("sens", "rerouted", 100): 1,
            ("nhn", "planned", 100): 1,
        }
    )


def test_two_failovers_at_once_move_each_recipient_once(engine, make_campaign) -> None:
    campaign_id, _ = _auto_campaign(engine, make_campaign, 2000, 30_000)
    moved: list[int] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        moved.append(_fail_over(engine, []))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(moved) == 2000
    counts = _batches(engine, campaign_id)
    assert sum(n * size for (p, _, size), n in counts.items() if p == "nhn") == 2000
    assert counts[("sens", "rerouted", 100)] == 20


def test_a_pinned_campaign_never_moves(engine, make_campaign) -> None:
    campaign_id = make_campaign(numbers(200, start=40_000), provider="sens")
    plan_campaign(engine, campaign_id, SIZES.get, HOUR, lambda _: None)
    assert _fail_over(engine, []) == 0
    assert _batches(engine, campaign_id) == Counter({("sens", "planned", 100): 2})


def test_messages_without_a_result_long_after_their_send_are_counted_late(
    engine, make_campaign
) -> None:
    campaign_id = make_campaign(numbers(300, start=50_000), provider="sens")
    published: list = []
    plan_campaign(engine, campaign_id, SIZES.get, HOUR, published.extend)
    now = utcnow()
    # Near the far end of the hour weighed: [now - 5 min - 1 h, now - 5 min).
    sent = now - timedelta(minutes=62)
    with engine.begin() as conn:  # three accepted requests; one has all its results
        for job in published:
            conn.execute(
                update(Batch)
                .where(Batch.id == job.batch_id)
                .values(status="accepted", sent_at=sent)
            )
        conn.execute(update(Batch).where(Batch.id == published[0].batch_id).values(settled=100))
    late = timedelta(minutes=5)
    assert late_share(engine, "sens", 0.0, late, now) == (200 / 300, 300)
    # Sent less than 65 minutes ago: not late yet; sent before the breaker closed: ignored.
    assert late_share(engine, "sens", 0.0, timedelta(minutes=65), now) is None
    assert late_share(engine, "sens", now.timestamp() - 60, late, now) is None


def test_routing_picks_the_next_healthy_provider_able_to_carry_the_batch() -> None:
    campaign = SimpleNamespace(provider="auto", content_type="COMM", schedule_mode=None)
    order = ["sens", "nhn", "apiplex"]
    every = routed_next(order, lambda _: True)
    assert every("sens", campaign, "SMS") == "nhn"
    assert every("nhn", campaign, "LMS") == "sens"
    assert every("apiplex", campaign, "INTL") == "nhn"  # NHN sends abroad too
    assert every("nhn", campaign, "INTL") == "apiplex"
    # API PLEX carries no domestic SMS: with NHN sick too, the batches wait.
    assert routed_next(order, lambda name: name != "nhn")("sens", campaign, "SMS") is None
    # An advertisement abroad: API PLEX carries no advertising, so it waits for NHN.
    ad = SimpleNamespace(provider="auto", content_type="AD", schedule_mode=None)
    assert every("nhn", ad, "INTL") is None


def test_a_moved_batch_keeps_its_attempt_and_waits_before_it_is_published_again(
    engine, make_campaign
) -> None:
    _, [batch_id] = _auto_campaign(engine, make_campaign, 100, 60_000)
    with engine.begin() as conn:  # as if a second attempt
        conn.execute(update(Batch).where(Batch.id == batch_id).values(attempt=2))
    published: list = []
    before = utcnow()
    assert _fail_over(engine, published) == 100
    [job] = published
    with engine.connect() as conn:
        moved = conn.execute(select(Batch).where(Batch.id == job.batch_id)).one()
    assert (moved.provider, moved.status, moved.attempt) == ("nhn", "planned", 2)
    # Its task was just published: beat publishes it again only if it is not taken by then.
    assert moved.next_attempt_at >= before + HOUR


def test_a_round_moves_at_most_its_share_of_batches(engine, make_campaign, monkeypatch) -> None:
    _auto_campaign(engine, make_campaign, 300, 70_000)
    monkeypatch.setattr(failover, "MOVES_PER_ROUND", 2)
    assert _fail_over(engine, []) == 200  # the rest follow on the next tick
    assert _fail_over(engine, []) == 100
