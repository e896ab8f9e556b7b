"""Polling rounds: sweep or requestId by cost, watermark, expiry, late results, call counts."""

import logging
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import requests
from sqlalchemy import select, update

from config.settings import PollSettings, ResendSettings
from producer.report import campaign_report
from simulator.outcomes import code_for
from tests.services.conftest import SEED, numbers, sim_call
from worker.db import exporting, polls
from worker.db.members import BatchRef
from worker.db.models import Batch, Campaign, Recipient
from worker.db.types import utcnow
from worker.providers.base import MessageResult, ResultPage, SentRequest
from worker.providers.errors import RetryLater, SlowDown
from worker.providers.sens.client import SensClient
from worker.services import polling
from worker.services.applying import apply_results
from worker.services.planning import plan_campaign
from worker.services.polling import Poller, PollMode
from worker.services.results import BatchContext

HOUR = timedelta(hours=1)
NO_RESEND = ResendSettings(max_attempts=1)


def _poller(engine, client, **poll: object) -> Poller:
    settings = PollSettings(first_delay_seconds=0, backoff_seconds=[0.0], **poll)
    return Poller(engine, client, settings, NO_RESEND)


def _send(engine, dispatcher, campaign_id: int, size: int = 100) -> list[int]:
    published: list[tuple[int, str]] = []
    plan_campaign(engine, campaign_id, lambda _: size, HOUR, published.extend)
    for batch_id, *_ in published:
        dispatcher.send_batch(batch_id)
    return [batch_id for batch_id, *_ in published]


def _statuses(engine, campaign_id: int) -> dict[str, str]:
    """Each number's status as it stands (an unwritten member reads as its batch stands)."""
    with engine.connect() as conn:
        return {row.phone: row.status for row in exporting.outcomes(conn, campaign_id)}


def _context(engine, batch_id: int) -> BatchContext:
    with engine.connect() as conn:
        batch = conn.execute(select(Batch).where(Batch.id == batch_id)).one()
    return BatchContext("sens", BatchRef.of(batch), utcnow() + HOUR)


def _faults(simulator, **values: object) -> None:
    requests.post(f"{simulator.base_url}/_sim/faults", json=values, timeout=5).raise_for_status()


def test_many_small_batches_are_swept_in_fewer_calls_than_one_per_batch(
    engine, make_campaign, dispatcher, sens_client, simulator
) -> None:
    phones = numbers(60, start=70_000)
    campaign_id = make_campaign(phones)
    batch_ids = _send(engine, dispatcher, campaign_id, size=5)  # 12 batches of 5
    time.sleep(0.4)
    before = sim_call(simulator, "GET", "/_sim/stats")["list_queries"]
    round_ = _poller(engine, sens_client).poll_due()
    assert round_.mode is PollMode.SWEEP
    asked = sim_call(simulator, "GET", "/_sim/stats")["list_queries"] - before
    assert round_.calls == asked and 1 <= asked < len(batch_ids)  # a page of 60, not 12 calls
    assert round_.results_applied == 60 and round_.completed_batches == 12
    assert {s for s in _statuses(engine, campaign_id).values()} <= {"delivered", "failed"}
    with engine.connect() as conn:
        mark = polls.watermark(conn, "sens")
        [recorded] = polls.recent_rounds(conn, "sens", 1)
    assert mark is not None and utcnow() - mark < timedelta(seconds=5)
    assert (recorded.mode, recorded.calls, recorded.results) == ("sweep", round_.calls, 60)
    assert (
        requests.get(f"{simulator.base_url}/_sim/stats", timeout=5).json()["window_rejections"] == 0
    )
    # The next sweep, of more than a page, starts from the mark and moves it on.
    more = make_campaign(numbers(150, start=71_000))
    _send(engine, dispatcher, more, size=5)
    time.sleep(0.4)
    before = sim_call(simulator, "GET", "/_sim/stats")["list_queries"]
    again = _poller(engine, sens_client).poll_due()
    asked = sim_call(simulator, "GET", "/_sim/stats")["list_queries"] - before
    assert again.mode is PollMode.SWEEP and again.calls == asked >= 2
    assert (again.results_applied, again.completed_batches) == (150, 30)  # summed over pages
    with engine.connect() as conn:
        assert polls.watermark(conn, "sens") > mark


def test_one_full_batch_is_asked_by_request_id(
    engine, make_campaign, dispatcher, sens_client
) -> None:
    campaign_id = make_campaign(numbers(100, start=71_000))
    _send(engine, dispatcher, campaign_id)
    time.sleep(0.4)
    round_ = _poller(engine, sens_client).poll_due()
    assert (round_.mode, round_.calls, round_.results_applied) == (PollMode.REQUEST_ID, 1, 100)


def test_a_message_that_never_completes_is_expired_at_the_deadline(
    engine, make_campaign, dispatcher, sens_client, simulator
) -> None:
    _faults(simulator, pending_rate=1.0)  # the carrier never reports back
    campaign_id = make_campaign(numbers(3, start=72_000))
    [batch_id] = _send(engine, dispatcher, campaign_id)
    poller = _poller(engine, sens_client, result_deadline_hours=1)
    assert poller.poll_due().expired == 0
    assert set(_statuses(engine, campaign_id).values()) == {"accepted"}
    with engine.begin() as conn:  # as if the batch went out two hours ago
        conn.execute(update(Batch).where(Batch.id == batch_id).values(sent_at=utcnow() - 2 * HOUR))
    assert poller.poll_due().expired == 3
    with engine.connect() as conn:
        codes = conn.execute(
            select(Recipient.status, Recipient.result_code).where(
                Recipient.campaign_id == campaign_id
            )
        ).all()
        batch_status = conn.execute(select(Batch.status).where(Batch.id == batch_id)).scalar()
    assert set(codes) == {("expired", "EXPIRED")} and batch_status == "completed"


def test_results_that_arrive_after_several_polls_are_applied(
    engine, make_campaign, dispatcher, sens_client, simulator
) -> None:
    # 2 to 6 s after acceptance by the simulator's own clock, so the lead must outlast
    # sending and the first polls on a loaded 2-core machine (1 s was tight).
    _faults(simulator, complete_delay=4.0)
    phones = numbers(4, start=73_000)
    campaign_id = make_campaign(phones)
    _send(engine, dispatcher, campaign_id)
    poller = _poller(engine, sens_client)
    rounds, deadline = [], time.monotonic() + 30
    while (
        set(_statuses(engine, campaign_id).values()) & {"accepted"} and time.monotonic() < deadline
    ):
        rounds.append(poller.poll_due())
        time.sleep(0.2)
    assert rounds[0].results_applied == 0 and len(rounds) > 2  # the first found nothing final
    expected = {p: "delivered" if code_for(SEED, p) == "0" else "failed" for p in phones}
    assert _statuses(engine, campaign_id) == expected


def test_a_result_arriving_after_expiry_replaces_expired_but_is_never_resent(
    engine, make_campaign, dispatcher, sens_client, simulator
) -> None:
    _faults(simulator, pending_rate=1.0)
    phones = numbers(2, start=74_000)
    campaign_id = make_campaign(phones)
    [batch_id] = _send(engine, dispatcher, campaign_id)
    with engine.begin() as conn:
        conn.execute(update(Batch).where(Batch.id == batch_id).values(sent_at=utcnow() - 2 * HOUR))
    _poller(engine, sens_client, result_deadline_hours=1).poll_due()
    late = [
        MessageResult(
            "r", "m1", phones[0], "COMPLETED", "0", "ok", "SKT", utcnow(), family="report"
        ),
        MessageResult(
            "r", "m2", phones[1], "COMPLETED", "2003", "power off", "KT", utcnow(), family="report"
        ),
    ]
    ctx = _context(engine, batch_id)
    with engine.begin() as conn:
        assert apply_results(conn, [(ctx, late)], ResendSettings(), utcnow()) == 2
    assert _statuses(engine, campaign_id) == {phones[0]: "delivered", phones[1]: "failed"}


def test_an_unknown_code_fails_the_recipient_and_is_counted_once_in_the_report(
    engine, make_campaign, dispatcher, caplog
) -> None:
    phones = numbers(2, start=75_000)
    campaign_id = make_campaign(phones)
    [batch_id] = _send(engine, dispatcher, campaign_id)
    results = [
        MessageResult(
            "r", "m1", phones[0], "COMPLETED", "9999", "?", "SKT", utcnow(), family="report"
        ),
        MessageResult(
            "r", "m2", phones[1], "COMPLETED", "0", "ok", "SKT", utcnow(), family="report"
        ),
    ]
    ctx = _context(engine, batch_id)
    with caplog.at_level("WARNING", logger="worker.domain.codes"), engine.begin() as conn:
        assert apply_results(conn, [(ctx, results)], ResendSettings(), utcnow()) == 2
    assert [r.getMessage() for r in caplog.records if r.name == "worker.domain.codes"] == [
        "unknown result code provider=sens code=9999 family=report"
    ]
    report = campaign_report(engine, campaign_id)
    assert report.failed_by_class == {"unknown code": 1}
    assert report.by_status == {"delivered": 1, "failed": 1}
    assert {line.code: line.title for line in report.by_code}["9999"] == "Unknown code"


def test_a_round_hands_out_its_batches_in_groups_that_other_processes_poll(
    engine, make_campaign, dispatcher, sens_client
) -> None:
    phones = numbers(250, start=76_000)
    campaign_id = make_campaign(phones)
    _send(engine, dispatcher, campaign_id, size=10)  # 25 batches
    time.sleep(0.4)
    groups: list[list[int]] = []
    settings = PollSettings(first_delay_seconds=0, backoff_seconds=[0.0], fan_out_batches=10,
                            mode="request_id")  # fmt: skip
    poller = Poller(engine, sens_client, settings, NO_RESEND, groups.append)
    round_ = poller.poll_due()
    assert [len(group) for group in groups] == [10, 10, 5]
    assert round_.results_applied == 0 and round_.calls == 0
    assert poller.poll_due().batches == 0  # handed out: not due again while leased
    applied = sum(poller.poll_batches(group).results_applied for group in groups)
    assert applied == 250
    assert set(_statuses(engine, campaign_id).values()) <= {"delivered", "failed"}
    assert poller.poll_batches(groups[0]).results_applied == 0  # a group polled twice


def test_a_handed_out_group_whose_task_was_lost_is_polled_again_after_its_lease(
    engine, make_campaign, dispatcher, sens_client
) -> None:
    campaign_id = make_campaign(numbers(30, start=77_000))
    _send(engine, dispatcher, campaign_id, size=10)
    time.sleep(0.4)
    lost: list[list[int]] = []
    settings = PollSettings(first_delay_seconds=0, backoff_seconds=[0.0], fan_out_batches=2,
                            fan_out_lease_seconds=0.5, mode="request_id")  # fmt: skip
    Poller(engine, sens_client, settings, NO_RESEND, lost.append).poll_due()
    assert sum(len(group) for group in lost) == 3
    time.sleep(0.6)
    alone = Poller(engine, sens_client, settings.model_copy(update={"fan_out_batches": 0}),
                   NO_RESEND)  # fmt: skip
    assert alone.poll_due().results_applied == 30


def test_a_group_the_provider_slows_down_is_polled_again_later(
    engine, make_campaign, dispatcher, sens_client, simulator, caplog
) -> None:
    campaign_id = make_campaign(numbers(20, start=78_000))
    batch_ids = _send(engine, dispatcher, campaign_id, size=10)
    _faults(simulator, rate_429=1.0)
    settings = PollSettings(first_delay_seconds=0, backoff_seconds=[100.0])
    poller = Poller(engine, sens_client, settings, NO_RESEND)
    with caplog.at_level(logging.WARNING, logger="worker.services.polling"):
        round_ = poller.poll_batches(batch_ids)
    assert (round_.errors, round_.results_applied) == (1, 0)
    assert "poll provider=sens slowed down: " in caplog.text
    with engine.connect() as conn:
        rows = conn.execute(select(Batch.status, Batch.next_poll_at)
                            .where(Batch.id.in_(batch_ids))).all()  # fmt: skip
    assert {status for status, _ in rows} == {"accepted"}
    assert all(at > utcnow() + timedelta(seconds=60) for _, at in rows)  # not at once


class _FailsThenSlows(SensClient):
    """The real SENS client, but its first two result reads fail and its third is refused 429."""

    def __init__(self, base: SensClient) -> None:
        self.__dict__.update(base.__dict__)
        self.errors = [RetryLater("busy", provider="sens", status=503),
                       RetryLater("busy", provider="sens", status=503),
                       SlowDown("slow down", provider="sens", status=429)]  # fmt: skip

    def result_pages(self, sent: SentRequest) -> Iterator[ResultPage]:
        if self.errors:
            raise self.errors.pop(0)
        yield from super().result_pages(sent)


def test_a_group_counts_each_error_it_met(
    engine, make_campaign, dispatcher, sens_client, simulator
) -> None:
    campaign_id = make_campaign(numbers(30, start=79_000))
    batch_ids = _send(engine, dispatcher, campaign_id, size=10)
    poller = _poller(engine, _FailsThenSlows(sens_client))
    # Two reads failed and the next was refused: the round (and its log line) says three.
    assert poller.poll_batches(batch_ids).errors == 3


def test_a_reserved_batch_a_hand_out_round_passes_over_is_polled_again_later(
    engine, make_campaign, dispatcher, sens_client
) -> None:
    campaign_id = make_campaign(numbers(30, start=79_000))
    _send(engine, dispatcher, campaign_id, size=10)
    with engine.begin() as conn:
        first, *others = conn.execute(select(Batch.id).where(Batch.campaign_id == campaign_id)
                                      .order_by(Batch.id)).scalars()  # fmt: skip
        conn.execute(update(Batch).where(Batch.id == first)  # SENS holds it for an hour
                     .values(reserve_time=utcnow() + HOUR, reserve_status="READY"))  # fmt: skip
    groups: list[list[int]] = []
    settings = PollSettings(first_delay_seconds=0, backoff_seconds=[100.0], fan_out_batches=1,
                            mode="request_id")  # fmt: skip
    before = utcnow()
    round_ = Poller(engine, sens_client, settings, NO_RESEND, groups.append).poll_due()
    assert sorted(groups) == [[others[0]], [others[1]]] and round_.batches == 3
    with engine.connect() as conn:
        status, due = conn.execute(select(Batch.status, Batch.next_poll_at)
                                   .where(Batch.id == first)).one()  # fmt: skip
    # Polled again after the backoff (100 s ± 20 % jitter), not at once.
    assert status == "accepted" and due >= before + timedelta(seconds=79)


class _Recording(SensClient):
    """The real SENS client, noting where each sweep began and each request it read."""

    def __init__(self, base: SensClient, sweeps: bool = True) -> None:
        self.__dict__.update(base.__dict__)
        self.sweeps = sweeps
        self.sweep_starts: list[datetime] = []
        self.read: list[SentRequest] = []

    def sweep_cost(self, start: datetime, now: datetime, load: int) -> int | None:
        return super().sweep_cost(start, now, load) if self.sweeps else None

    def completed_pages(
        self, start: datetime, end: datetime, now: datetime
    ) -> Iterator[ResultPage]:
        self.sweep_starts.append(start)
        yield from super().completed_pages(start, end, now)

    def result_pages(self, sent: SentRequest) -> Iterator[ResultPage]:
        self.read.append(sent)
        yield from super().result_pages(sent)


def _recorded_round(engine) -> tuple[str, datetime, int, int, int, int]:
    """The latest poll_round row: mode, started_at, calls, results, batches, expired."""
    with engine.connect() as conn:
        [row] = polls.recent_rounds(conn, "sens", 1)
    return row.mode, row.started_at, row.calls, row.results, row.batches, row.expired


def test_a_provider_without_a_result_query_only_expires_and_records_the_round(
    engine, make_campaign, dispatcher, sens_client, simulator
) -> None:
    # API PLEX has no result query: its poller only expires (Poller.asks False).
    _faults(simulator, pending_rate=1.0)
    campaign_id = make_campaign(numbers(3, start=79_100))
    [batch_id] = _send(engine, dispatcher, campaign_id)
    with engine.begin() as conn:
        conn.execute(update(Batch).where(Batch.id == batch_id).values(sent_at=utcnow() - 2 * HOUR))
    settings = PollSettings(first_delay_seconds=0, result_deadline_hours=1)
    before = sim_call(simulator, "GET", "/_sim/stats")
    now = utcnow()
    round_ = Poller(engine, sens_client, settings, NO_RESEND, asks=False).poll_due(now)
    assert (round_.mode, round_.calls, round_.expired) == (PollMode.IDLE, 0, 3)
    assert sim_call(simulator, "GET", "/_sim/stats") == before  # nothing asked
    assert _recorded_round(engine) == ("idle", now, 0, 0, 0, 3)
    with engine.connect() as conn:
        campaign = conn.execute(select(Campaign).where(Campaign.id == campaign_id)).one()
    assert (campaign.status, campaign.completed_at) == ("completed", now)


def test_a_round_asks_for_at_most_its_share_of_due_batches(
    engine, make_campaign, dispatcher, sens_client
) -> None:
    campaign_id = make_campaign(numbers(30, start=79_200))
    _send(engine, dispatcher, campaign_id, size=10)
    time.sleep(0.4)
    poller = _poller(engine, sens_client, batches_per_round=2, mode="request_id")
    first = poller.poll_due()
    assert (first.batches, first.calls, first.results_applied) == (2, 2, 20)
    assert _recorded_round(engine)[2:5] == (2, 20, 2)  # calls, results, batches
    assert poller.poll_due().results_applied == 10  # the third, next round


def test_a_round_that_read_every_open_batch_moves_the_watermark_and_one_that_did_not_keeps_it(
    engine, make_campaign, dispatcher, sens_client
) -> None:
    campaign_id = make_campaign(numbers(20, start=79_300))
    _send(engine, dispatcher, campaign_id, size=10)
    time.sleep(0.4)
    now = utcnow()
    part = _poller(engine, sens_client, batches_per_round=1, mode="request_id").poll_due(now)
    assert part.results_applied == 10
    with engine.connect() as conn:  # the other batch's results may lie before now
        assert polls.watermark(conn, "sens") is None
    later = now + timedelta(seconds=1)
    assert _poller(engine, sens_client, mode="request_id").poll_due(later).results_applied == 10
    with engine.connect() as conn:  # nothing before `later` is left to sweep
        assert polls.watermark(conn, "sens") == later
    # With a watermark in place, the next round that reads everything moves it on.
    _send(engine, dispatcher, make_campaign(numbers(10, start=79_320)))
    time.sleep(0.4)
    last = utcnow() + timedelta(seconds=2)  # past `later` and the new batch's poll time
    assert _poller(engine, sens_client, mode="request_id").poll_due(last).results_applied == 10
    with engine.connect() as conn:
        assert polls.watermark(conn, "sens") == last


@pytest.mark.parametrize(("hands_out", "group"), [(False, 1), (True, 0), (True, 3)])
def test_a_round_reads_its_batches_itself_unless_it_has_more_than_a_group_to_hand_out(
    engine, make_campaign, dispatcher, sens_client, hands_out: bool, group: int
) -> None:
    campaign_id = make_campaign(numbers(30, start=79_400))
    _send(engine, dispatcher, campaign_id, size=10)  # 3 batches
    time.sleep(0.4)
    groups: list[list[int]] = []
    settings = PollSettings(first_delay_seconds=0, backoff_seconds=[0.0], fan_out_batches=group,
                            mode="request_id")  # fmt: skip
    fan_out = groups.append if hands_out else None
    round_ = Poller(engine, sens_client, settings, NO_RESEND, fan_out).poll_due()
    assert groups == [] and (round_.calls, round_.results_applied) == (3, 30)


def test_full_batches_are_read_by_request_id_as_sent_and_applied_in_chunks(
    engine, make_campaign, dispatcher, sens_client, monkeypatch
) -> None:
    monkeypatch.setattr(polling, "APPLY_AT_ONCE", 100)  # each batch's results on their own
    campaign_id = make_campaign(numbers(300, start=79_500))
    batch_ids = _send(engine, dispatcher, campaign_id)
    time.sleep(0.4)
    client = _Recording(sens_client)
    # A sweep would cost a window plus a call per hundred awaited results: 4 > 3 batches.
    round_ = _poller(engine, client).poll_due()
    assert (round_.mode, round_.calls, round_.results_applied) == (PollMode.REQUEST_ID, 3, 300)
    assert round_.completed_batches == 3
    assert set(_statuses(engine, campaign_id).values()) <= {"delivered", "failed"}
    with engine.connect() as conn:
        sent = conn.execute(select(Batch.request_id, Batch.message_type, Batch.sent_at)
                            .where(Batch.id.in_(batch_ids))).all()  # fmt: skip
    assert set(client.read) == {SentRequest(*row) for row in sent}


def _sweep_from(engine, client, mark, sent_at) -> list[datetime]:
    """Set the watermark and the open batches' send time; where one forced sweep began."""
    with engine.begin() as conn:
        polls.advance(conn, "sens", None, mark)
        conn.execute(update(Batch).values(sent_at=sent_at))
    recording = _Recording(client)
    _poller(engine, recording, mode="sweep", result_deadline_hours=100).poll_due()
    return recording.sweep_starts


@pytest.mark.parametrize("later", ["watermark", "oldest send"])
def test_a_sweep_begins_at_the_watermark_or_the_oldest_open_send_whichever_is_later(
    engine, make_campaign, dispatcher, sens_client, later: str
) -> None:
    _send(engine, dispatcher, make_campaign(numbers(3, start=79_600)))
    now, overlap = utcnow(), timedelta(seconds=10)  # PollSettings.sweep_overlap_seconds
    early, late = now - timedelta(days=3), now - timedelta(minutes=1)
    mark, sent_at = (late, early) if later == "watermark" else (early, late)
    # From the earlier one a sweep would read three days of windows for nothing.
    assert _sweep_from(engine, sens_client, mark, sent_at) == [late - overlap]


def test_a_forced_sweep_is_kept_only_where_the_provider_can_sweep(
    engine, make_campaign, dispatcher, sens_client
) -> None:
    _send(engine, dispatcher, make_campaign(numbers(100, start=79_700)))
    time.sleep(0.4)
    # One full batch: auto would ask by requestId (a sweep costs 2 calls, the batch 1).
    swept = _poller(engine, sens_client, mode="sweep").poll_due()
    assert (swept.mode, swept.results_applied) == (PollMode.SWEEP, 100)
    _send(engine, dispatcher, make_campaign(numbers(100, start=79_800)))
    time.sleep(0.4)
    cannot = _Recording(sens_client, sweeps=False)
    asked = _poller(engine, cannot, mode="sweep").poll_due()
    assert (asked.mode, asked.calls, asked.results_applied) == (PollMode.REQUEST_ID, 1, 100)
    assert cannot.sweep_starts == [] and _recorded_round(engine)[0] == "request_id"


def test_a_sweep_also_asks_batches_older_than_the_catch_up_by_request_id(
    engine, make_campaign, dispatcher, sens_client, simulator
) -> None:
    _faults(simulator, pending_rate=1.0)  # no result anywhere: only the calls count
    batch_ids = _send(engine, dispatcher, make_campaign(numbers(10, start=79_900)), size=5)
    now, catch_up = utcnow(), timedelta(seconds=600)  # PollSettings.catchup_after_seconds
    with engine.begin() as conn:  # one just past the catch-up age, one exactly at it
        for batch_id, age in zip(
            batch_ids, [catch_up + timedelta(seconds=1), catch_up], strict=True
        ):
            conn.execute(update(Batch).where(Batch.id == batch_id).values(sent_at=now - age))
    client = _Recording(sens_client)
    round_ = _poller(engine, client, mode="sweep").poll_due(now)
    assert (round_.mode, round_.calls) == (PollMode.SWEEP, 2)  # a page of the sweep, one batch
    assert [sent.sent_at for sent in client.read] == [now - catch_up - timedelta(seconds=1)]


def test_a_round_the_provider_slows_down_counts_each_error_and_keeps_the_watermark(
    engine, make_campaign, dispatcher, sens_client
) -> None:
    campaign_id = make_campaign(numbers(30, start=80_000))
    batch_ids = _send(engine, dispatcher, campaign_id, size=10)  # 3 batches
    time.sleep(0.4)
    poller = _poller(engine, _FailsThenSlows(sens_client), mode="request_id")
    round_ = poller.poll_due()
    # Two reads failed and the third was refused: three errors, as the round's log says.
    assert (round_.errors, round_.results_applied) == (3, 0)
    with engine.connect() as conn:
        assert polls.watermark(conn, "sens") is None  # the round did not read everything
        states = conn.execute(select(Batch.status).where(Batch.id.in_(batch_ids))).scalars()
        assert set(states) == {"accepted"}


def test_expiry_closes_every_overdue_batch_at_the_rounds_time(
    engine, make_campaign, dispatcher, sens_client, simulator
) -> None:
    _faults(simulator, pending_rate=1.0)
    campaign_id = make_campaign(numbers(6, start=80_100))
    batch_ids = _send(engine, dispatcher, campaign_id, size=3)  # 2 batches
    now = utcnow()
    with engine.begin() as conn:  # sent two hours ago, and not due for a poll this round
        conn.execute(update(Batch).where(Batch.id.in_(batch_ids))
                     .values(sent_at=now - 2 * HOUR, next_poll_at=now + HOUR))  # fmt: skip
    round_ = _poller(engine, sens_client, result_deadline_hours=1).poll_due(now)
    assert round_.expired == 6 and _recorded_round(engine)[5] == 6  # both batches counted
    with engine.connect() as conn:
        done = conn.execute(select(Recipient.status, Recipient.completed_at)
                            .where(Recipient.campaign_id == campaign_id)).all()  # fmt: skip
        closed = conn.execute(select(Batch.status, Batch.completed_at)
                              .where(Batch.id.in_(batch_ids))).all()  # fmt: skip
    assert done == [("expired", now)] * 6
    assert closed == [("completed", now)] * 2


def test_a_batch_whose_results_came_another_way_is_completed_by_the_next_round(
    engine, make_campaign, dispatcher, sens_client, simulator
) -> None:
    # The results came in by webhook; the provider's own query still says "processing".
    _faults(simulator, pending_rate=1.0)
    phones = numbers(2, start=80_200)
    campaign_id = make_campaign(phones)
    [batch_id] = _send(engine, dispatcher, campaign_id)
    results = [
        MessageResult("r", f"m{i}", phone, "COMPLETED", "0", "ok", "SKT", utcnow(), family="report")
        for i, phone in enumerate(phones)
    ]
    with engine.begin() as conn:
        assert apply_results(conn, [(_context(engine, batch_id), results)], NO_RESEND, utcnow())
    now = utcnow()
    round_ = _poller(engine, sens_client, mode="request_id").poll_due(now)
    assert (round_.calls, round_.results_applied, round_.completed_batches) == (1, 0, 1)
    with engine.connect() as conn:
        batch = conn.execute(select(Batch).where(Batch.id == batch_id)).one()
        campaign = conn.execute(select(Campaign).where(Campaign.id == campaign_id)).one()
    assert (batch.status, batch.completed_at, batch.next_poll_at) == ("completed", now, None)
    assert (campaign.status, campaign.completed_at) == ("completed", now)


def test_a_batch_still_waiting_is_polled_again_after_the_next_step_of_the_backoff(
    engine, make_campaign, dispatcher, sens_client, simulator
) -> None:
    _faults(simulator, pending_rate=1.0)
    [batch_id] = _send(engine, dispatcher, make_campaign(numbers(2, start=80_300)))
    settings = PollSettings(first_delay_seconds=0, backoff_seconds=[10.0, 100.0, 1000.0, 1e4],
                            mode="request_id")  # fmt: skip
    poller = Poller(engine, sens_client, settings, NO_RESEND)
    first = utcnow()
    second = first + HOUR
    for now in (first, second):
        poller.poll_due(now)
    with engine.connect() as conn:
        batch = conn.execute(select(Batch).where(Batch.id == batch_id)).one()
    # The second poll waits the ladder's second step (100 s, ±20 % jitter), not the first
    # or the third.
    wait = (batch.next_poll_at - second).total_seconds()
    assert batch.poll_count == 2 and 60 < wait < 150
