"""Sending a batch against the simulator: accepted once, re-tried on 429/5xx, failed on 400."""

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from PIL import Image
from sqlalchemy import Engine, insert, select, update

from config.settings import PollSettings, SendSettings
from scripts.simulated import sens_settings
from tests.fake_provider import FakeProvider
from tests.services.conftest import numbers
from worker.db import campaigns
from worker.db.models import Batch, Campaign, Recipient, Suppression
from worker.db.types import utcnow
from worker.providers.base import SendReceipt, SendRequest, UploadedFile
from worker.providers.errors import Rejected, TransportError
from worker.providers.sens.client import SensClient
from worker.services.dispatch import Dispatcher, SendOutcome
from worker.services.planning import plan_campaign
from worker.services.release import mark_all_sent, release_due_batches


def _planned(engine: Engine, campaign_id: int) -> list[int]:
    published: list[tuple[int, str]] = []
    plan_campaign(engine, campaign_id, lambda _: 100, timedelta(hours=1), published.extend)
    return [batch_id for batch_id, *_ in published]


def _batch(engine: Engine, batch_id: int) -> dict:
    with engine.connect() as conn:
        return conn.execute(select(Batch).where(Batch.id == batch_id)).one()._asdict()


def _recipient_statuses(engine: Engine, campaign_id: int) -> set[str]:
    """The statuses recipients stand in (an unwritten member reads as its batch stands)."""
    with engine.connect() as conn:
        return set(campaigns.status_counts(conn, campaign_id))


def _faults(simulator, **values: float) -> None:
    requests.post(f"{simulator.base_url}/_sim/faults", json=values, timeout=5).raise_for_status()


def _stats(simulator) -> dict:
    return requests.get(f"{simulator.base_url}/_sim/stats", timeout=5).json()


def test_accepted_batch_records_request_id_and_is_sent_once(
    engine, make_campaign, dispatcher, simulator
) -> None:
    campaign_id = make_campaign(numbers(100, start=10_000))
    [batch_id] = _planned(engine, campaign_id)
    assert dispatcher.send_batch(batch_id) is SendOutcome.ACCEPTED
    assert dispatcher.send_batch(batch_id) is SendOutcome.SKIPPED  # a re-delivered task
    batch = _batch(engine, batch_id)
    assert batch["status"] == "accepted"
    assert batch["request_id"].startswith("RSSA-")
    assert batch["http_status"] == 202 and batch["next_poll_at"] is not None
    assert _recipient_statuses(engine, campaign_id) == {"accepted"}
    stats = _stats(simulator)
    assert (stats["requests_accepted"], stats["messages_accepted"]) == (1, 100)
    # The send wrote the batch only; beat moves the campaign on once nothing is left to send.
    assert mark_all_sent(engine) == 1
    with engine.connect() as conn:
        status = conn.execute(select(Campaign.status).where(Campaign.id == campaign_id)).scalar()
    assert status == "awaiting_results"


def test_429_keeps_the_batch_for_a_later_retry_then_it_goes_out_once(
    engine, make_campaign, dispatcher, simulator
) -> None:
    campaign_id = make_campaign(numbers(30, start=11_000))
    [batch_id] = _planned(engine, campaign_id)
    _faults(simulator, rate_429=1.0)
    assert dispatcher.send_batch(batch_id) is SendOutcome.RETRY
    batch = _batch(engine, batch_id)
    assert (batch["status"], batch["http_status"], batch["error_code"]) == ("retry", 429, "410")
    assert _recipient_statuses(engine, campaign_id) == {"batched"}
    _faults(simulator, rate_429=0.0)
    released: list[tuple[int, str]] = []
    release_due_batches(engine, timedelta(hours=1), released.extend)
    assert [job[:2] for job in released] == [(batch_id, "sens")]
    assert dispatcher.send_batch(batch_id) is SendOutcome.ACCEPTED
    stats = _stats(simulator)
    assert stats["messages_accepted"] == 30 and stats["duplicate_messages"] == 0


def test_5xx_is_retried_not_failed(engine, make_campaign, dispatcher, simulator) -> None:
    campaign_id = make_campaign(numbers(3, start=12_000))
    [batch_id] = _planned(engine, campaign_id)
    _faults(simulator, rate_5xx=1.0)
    later = replace(dispatcher, send=dispatcher.send.model_copy(
        update={"retry_backoff_seconds": [100.0]}))  # fmt: skip
    before = utcnow()
    assert later.send_batch(batch_id) is SendOutcome.RETRY
    batch = _batch(engine, batch_id)
    assert batch["http_status"] in {500, 503, 504} and batch["status"] == "retry"
    # Due again after the backoff (100 s ± 20 %), not at once.
    assert timedelta(seconds=79) <= batch["next_attempt_at"] - before <= timedelta(seconds=121)


def test_retries_stop_after_max_attempts_and_fail_the_recipients(
    engine, make_campaign, dispatcher, simulator
) -> None:
    campaign_id = make_campaign(numbers(4, start=13_000))
    [batch_id] = _planned(engine, campaign_id)
    _faults(simulator, rate_429=1.0)
    outcomes = []
    for _ in range(3):  # max_attempts=3 in the fixture
        outcomes.append(dispatcher.send_batch(batch_id))
        release_due_batches(engine, timedelta(hours=1), lambda batches: None)
    assert outcomes == [SendOutcome.RETRY, SendOutcome.RETRY, SendOutcome.REJECTED]
    with engine.connect() as conn:
        codes = conn.execute(
            select(Recipient.status, Recipient.result_code, Recipient.result_family).where(
                Recipient.campaign_id == campaign_id
            )
        ).all()
        error = conn.execute(select(Batch.error_code).where(Batch.id == batch_id)).scalar()
    # The gateway's own code (410 "Throttle Limited") is no result code: it stays on the batch.
    assert set(codes) == {("failed", "HTTP429", "internal")}
    assert error == "410"


def test_a_400_rejection_fails_the_recipients_with_the_providers_message(
    engine, make_campaign, dispatcher, simulator
) -> None:
    campaign_id = make_campaign(numbers(5, start=14_000))
    with engine.begin() as conn:  # a sender the provider refuses (not digits only)
        conn.execute(update(Campaign).where(Campaign.id == campaign_id).values(sender="02-1234"))
    [batch_id] = _planned(engine, campaign_id)
    assert dispatcher.send_batch(batch_id) is SendOutcome.REJECTED
    batch = _batch(engine, batch_id)
    assert batch["status"] == "rejected" and batch["http_status"] == 400
    assert "from" in batch["error_message"]
    assert batch["completed_at"] is not None and batch["settled"] == 5
    with engine.connect() as conn:
        columns = (Recipient.status, Recipient.result_code, Recipient.result_family,
                   Recipient.completed_at.is_not(None))  # fmt: skip
        rows = conn.execute(select(*columns).where(Recipient.campaign_id == campaign_id)).all()
        campaign = conn.execute(select(Campaign).where(Campaign.id == campaign_id)).one()
    assert set(rows) == {("failed", "HTTP400", "internal", True)}
    assert campaign.status == "completed" and campaign.completed_at is not None
    assert _stats(simulator)["messages_accepted"] == 0


def test_wrong_credentials_wait_for_an_operator_instead_of_failing(
    engine, make_campaign, simulator
) -> None:
    campaign_id = make_campaign(numbers(2, start=15_000))
    [batch_id] = _planned(engine, campaign_id)
    client = SensClient(sens_settings(simulator.base_url, secret_key="wrong"))
    dispatcher = Dispatcher(
        engine, client, SendSettings(retry_backoff_seconds=[60]), PollSettings()
    )
    assert dispatcher.send_batch(batch_id) is SendOutcome.RETRY
    batch = _batch(engine, batch_id)
    assert (batch["status"], batch["http_status"], batch["error_code"]) == ("retry", 401, "200")
    assert _recipient_statuses(engine, campaign_id) == {"batched"}


def test_unreachable_provider_is_retried(engine, make_campaign) -> None:
    campaign_id = make_campaign(numbers(2, start=16_000))
    [batch_id] = _planned(engine, campaign_id)
    client = SensClient(sens_settings("http://127.0.0.1:9", connect_timeout=0.5))
    dispatcher = Dispatcher(engine, client, SendSettings(), PollSettings())
    assert dispatcher.send_batch(batch_id) is SendOutcome.RETRY
    assert _batch(engine, batch_id)["error_message"].startswith("cannot reach SENS")


def _fake_sending(engine: Engine, provider: FakeProvider) -> Dispatcher:
    send = SendSettings(retry_backoff_seconds=[0.0], lookup_delay_seconds=60.0)
    return Dispatcher(engine, provider, send, PollSettings(first_delay_seconds=0))


def test_a_lost_answer_keeps_its_error_and_is_looked_up_after_the_delay(
    engine, make_campaign
) -> None:
    [batch_id] = _planned(engine, make_campaign(numbers(3, start=17_000)))
    fake = FakeProvider("sens", lambda _: ("0", "reception"))
    fake.fail_next(TransportError("read timed out", provider="sens", maybe_sent=True))
    before = utcnow()
    assert _fake_sending(engine, fake).send_batch(batch_id) is SendOutcome.UNSURE
    batch = _batch(engine, batch_id)
    # Why it is looked up stays on the batch; the lookup waits past the provider's listing.
    assert (batch["status"], batch["error_message"]) == ("unsure", "read timed out")
    assert batch["next_attempt_at"] >= before + timedelta(seconds=60)


def test_a_fault_of_our_own_around_the_call_is_looked_up_not_raised(engine, make_campaign) -> None:
    [batch_id] = _planned(engine, make_campaign(numbers(3, start=18_000)))
    fake = FakeProvider("sens", lambda _: ("0", "reception"))
    fake.fail_next(RuntimeError("a bug after the request went out"))  # type: ignore[arg-type]
    assert _fake_sending(engine, fake).send_batch(batch_id) is SendOutcome.UNSURE
    batch = _batch(engine, batch_id)
    assert (batch["status"], batch["error_message"]) == ("unsure", None)


def test_a_batch_whose_members_were_all_suppressed_completes_its_campaign(
    engine, make_campaign, dispatcher, simulator
) -> None:
    listed = numbers(3, start=19_000)
    campaign_id = make_campaign(listed)
    [batch_id] = _planned(engine, campaign_id)
    with engine.begin() as conn:  # opted out after the import
        rows = [{"phone": n, "reason": "080 opt-out", "source": "test", "created_at": utcnow()}
                for n in listed]  # fmt: skip
        conn.execute(insert(Suppression), rows)
    assert dispatcher.send_batch(batch_id) is SendOutcome.EMPTY
    with engine.connect() as conn:
        campaign = conn.execute(select(Campaign).where(Campaign.id == campaign_id)).one()
    assert campaign.status == "completed" and campaign.completed_at is not None
    assert _stats(simulator)["messages_accepted"] == 0
    with engine.connect() as conn:
        columns = (Recipient.status, Recipient.result_outcome, Recipient.completed_at)
        ended = conn.execute(select(*columns).where(Recipient.campaign_id == campaign_id)).all()
    assert {(status, outcome) for status, outcome, _ in ended} == {("suppressed", "suppressed")}
    assert all(at is not None and at >= campaign.created_at for *_, at in ended)


def test_a_recipient_refused_inside_a_campaign_without_a_deadline_gets_its_own_result(
    engine, make_campaign
) -> None:
    campaign_id = make_campaign(numbers(3, start=20_000))
    refused = numbers(1, start=20_000)[0]
    with engine.begin() as conn:  # a row without a deadline: the default one applies
        conn.execute(update(Campaign).where(Campaign.id == campaign_id).values(deadline_at=None))
    [batch_id] = _planned(engine, campaign_id)
    fake = FakeProvider("sens", lambda _: ("0", "report"), refuse={refused: ("2000", "report")})
    assert _fake_sending(engine, fake).send_batch(batch_id) is SendOutcome.ACCEPTED
    with engine.connect() as conn:
        row = conn.execute(
            select(Recipient.status, Recipient.result_code).where(Recipient.phone == refused)
        ).one()
    assert tuple(row) == ("retry_wait", "2000")  # transient: sent again before the deadline
    assert _batch(engine, batch_id)["status"] == "accepted"


class _RefusesImages(FakeProvider):
    """A provider that refuses every MMS image upload."""

    def upload_image(self, name: str, data: bytes) -> UploadedFile:
        raise Rejected("image larger than 300 KB", provider=self.name, status=413)


def test_an_image_the_provider_refuses_keeps_its_reason_on_the_retried_batch(
    engine, make_campaign, tmp_path: Path
) -> None:
    image = tmp_path / "a.jpg"
    Image.new("RGB", (40, 30)).save(image, "JPEG")
    campaign_id = make_campaign(numbers(3, start=19_000), images=[image])
    [batch_id] = _planned(engine, campaign_id)
    fake = _RefusesImages("sens", lambda _: ("0", "reception"))
    assert _fake_sending(engine, fake).send_batch(batch_id) is SendOutcome.RETRY
    batch = _batch(engine, batch_id)
    # The upload happens while preparing, so the provider's refusal reaches the operator
    # wrapped in the batch's error: its message must survive the wrapping.
    assert batch["status"] == "retry" and fake.sends == []
    assert "image larger than 300 KB" in batch["error_message"]


def test_a_refusal_longer_than_the_batch_keeps_is_cut_to_fit(engine, make_campaign) -> None:
    [batch_id] = _planned(engine, make_campaign(numbers(3, start=18_100)))
    fake = FakeProvider("sens", lambda _: ("0", "reception"))
    fake.fail_next(Rejected("x" * 600, provider="sens", status=400))
    assert _fake_sending(engine, fake).send_batch(batch_id) is SendOutcome.REJECTED
    batch = _batch(engine, batch_id)
    # batch.error_message is VARCHAR(500): a longer one would fail the rejection's write.
    assert (batch["status"], batch["error_message"]) == ("rejected", "x" * 500)


@pytest.mark.parametrize(("pushed", "first_poll"), [(False, 30), (True, 900)])
def test_the_first_poll_waits_its_delay_after_the_send(
    engine, make_campaign, pushed: bool, first_poll: int
) -> None:
    [batch_id] = _planned(engine, make_campaign(numbers(2, start=18_200 + first_poll)))
    fake = FakeProvider("sens", lambda _: ("0", "reception"))
    # A provider that pushes results by webhook is polled only for what it never reported.
    poll = PollSettings(first_delay_seconds=30, webhook_first_delay_seconds=900)
    sending = Dispatcher(engine, fake, SendSettings(), poll, pushed=pushed)
    assert sending.send_batch(batch_id) is SendOutcome.ACCEPTED
    batch = _batch(engine, batch_id)
    assert batch["next_poll_at"] - batch["sent_at"] == timedelta(seconds=first_poll)
    assert (batch["reserve_time"], batch["reserve_status"]) == (None, None)  # sent at once


class _LongRequestIds(FakeProvider):
    """Accepts with a request id longer than the batch row holds (100 characters)."""

    def _send(self, request: SendRequest) -> SendReceipt:
        receipt = super()._send(request)
        return replace(receipt, request_id="R" * 101)


def test_an_accept_that_cannot_be_written_is_looked_up_not_sent_again(
    engine, make_campaign
) -> None:
    [batch_id] = _planned(engine, make_campaign(numbers(3, start=18_300)))
    fake = _LongRequestIds("sens", lambda _: ("0", "reception"))
    before = utcnow()
    sending = _fake_sending(engine, fake)
    assert sending.send_batch(batch_id) is SendOutcome.UNSURE
    batch = _batch(engine, batch_id)
    # The provider took it: only a lookup may decide whether it goes again.
    assert (batch["status"], batch["request_id"]) == ("unsure", None)
    assert batch["next_attempt_at"] >= before + timedelta(seconds=60)
    assert sending.send_batch(batch_id) is SendOutcome.SKIPPED
    assert len(fake.sends) == 1


class _FoundMeanwhile(FakeProvider):
    """Answers after a lookup already found the request (the send outlived its lease)."""

    def __init__(self, engine: Engine, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.engine = engine

    def _send(self, request: SendRequest) -> SendReceipt:
        receipt = super()._send(request)
        with self.engine.begin() as conn:
            conn.execute(update(Batch).where(Batch.id == request.batch_id)
                         .values(status="accepted", request_id="FOUND-1"))  # fmt: skip
        return receipt


@pytest.mark.parametrize("refuse", [False, True])
def test_an_answer_for_a_batch_a_lookup_accepted_meanwhile_changes_nothing(
    engine, make_campaign, refuse: bool
) -> None:
    phones = numbers(2, start=18_400 + refuse * 10)
    campaign_id = make_campaign(phones)
    [batch_id] = _planned(engine, campaign_id)
    refused = {phones[0]: ("3001", "report")} if refuse else {}
    fake = _FoundMeanwhile(engine, "sens", lambda _: ("0", "reception"), refuse=refused)
    assert _fake_sending(engine, fake).send_batch(batch_id) is SendOutcome.SKIPPED
    assert _batch(engine, batch_id)["request_id"] == "FOUND-1"
    assert _recipient_statuses(engine, campaign_id) == {"accepted"}  # the lookup's results come


def test_a_batch_whose_every_recipient_was_refused_completes_at_once(engine, make_campaign) -> None:
    phones = numbers(2, start=18_500)
    campaign_id = make_campaign(phones)
    [batch_id] = _planned(engine, campaign_id)
    refused = dict.fromkeys(phones, ("3001", "report"))  # no such subscriber
    fake = FakeProvider("sens", lambda _: ("0", "reception"), refuse=refused)
    before = utcnow()
    assert _fake_sending(engine, fake).send_batch(batch_id) is SendOutcome.ACCEPTED
    batch = _batch(engine, batch_id)
    assert (batch["status"], batch["settled"], batch["next_poll_at"]) == ("completed", 2, None)
    assert before <= batch["completed_at"] <= utcnow()
    assert _recipient_statuses(engine, campaign_id) == {"failed"}


def test_every_call_is_told_to_the_providers_health_and_a_failing_report_stops_nothing(
    engine, make_campaign, caplog: pytest.LogCaptureFixture
) -> None:
    first, second = _planned(engine, make_campaign(numbers(150, start=21_000)))
    told: list[object] = []
    fake = FakeProvider("sens", lambda _: ("0", "reception"))
    refused = TransportError("connect timed out", provider="sens", maybe_sent=False)
    fake.fail_next(refused)
    watched = replace(_fake_sending(engine, fake), on_call=told.append)
    assert watched.send_batch(first) is SendOutcome.RETRY
    assert watched.send_batch(second) is SendOutcome.ACCEPTED
    assert told == [refused, None]  # the error itself, then a success

    def broken(outcome: object) -> None:
        raise RuntimeError("health store down")

    release_due_batches(engine, timedelta(hours=1), lambda jobs: None)  # the retry is due
    with caplog.at_level("ERROR"):
        assert replace(watched, on_call=broken).send_batch(first) is SendOutcome.ACCEPTED
    assert "provider health not recorded" in caplog.text


def test_each_send_names_its_attempt_for_the_providers_grouping_key(engine, make_campaign) -> None:
    # NHN's senderGroupingKey and API PLEX's echo key carry it: a lookup finds one attempt.
    [batch_id] = _planned(engine, make_campaign(numbers(2, start=22_000)))
    fake = FakeProvider("sens", lambda _: ("0", "reception"))
    fake.fail_next(TransportError("connect timed out", provider="sens", maybe_sent=False))
    sending = _fake_sending(engine, fake)
    assert sending.send_batch(batch_id) is SendOutcome.RETRY
    release_due_batches(engine, timedelta(hours=1), lambda jobs: None)
    assert sending.send_batch(batch_id) is SendOutcome.ACCEPTED
    assert [send.request.attempt for send in fake.sends] == [1, 2]


def test_a_rejection_of_the_last_unsent_batch_moves_the_campaign_to_awaiting_results(
    engine, make_campaign
) -> None:
    campaign_id = make_campaign(numbers(150, start=23_000))
    first, second = _planned(engine, campaign_id)
    fake = FakeProvider("sens", lambda _: ("0", "reception"))
    sending = _fake_sending(engine, fake)
    assert sending.send_batch(first) is SendOutcome.ACCEPTED  # its results still to come
    fake.fail_next(Rejected("bad sender", provider="sens", status=400))
    assert sending.send_batch(second) is SendOutcome.REJECTED
    # The rejection ended the sending itself: no need to wait for beat's next tick.
    with engine.connect() as conn:
        status = conn.execute(select(Campaign.status).where(Campaign.id == campaign_id)).scalar()
    assert status == "awaiting_results"
