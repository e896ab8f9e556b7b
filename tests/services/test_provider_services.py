"""Services over a provider with no HTTP (tests/fake_provider.py): refusals inside an accepted
request, the provider and family of every result, and the batch size of each provider."""

from datetime import timedelta

from sqlalchemy import Engine, select

from config import providers
from config.settings import PollSettings, ResendSettings, SendSettings
from producer.report import campaign_report
from scripts.simulated import simulated_settings
from tests.fake_provider import FakeProvider
from tests.services.conftest import numbers
from worker.db import exporting, suppressions
from worker.db.models import Batch, DeliveryAttempt
from worker.providers.errors import Rejected
from worker.services.dispatch import Dispatcher, SendOutcome
from worker.services.planning import plan_campaign
from worker.services.polling import Poller

HOUR = timedelta(hours=1)
NUMBERS = numbers(1500, start=40_000)
INVALID, OPTED_OUT, BUSY = NUMBERS[3], NUMBERS[4], NUMBERS[1200]
# Per-recipient codes of an NHN send answer are API result codes (family api).
REFUSE = {INVALID: ("-2019", "api"), OPTED_OUT: ("-6001", "api"), BUSY: ("-2021", "api")}


def delivered(number: str) -> tuple[str, str]:
    return ("3001", "reception") if number == NUMBERS[7] else ("1000", "reception")


def _plan(engine: Engine, campaign_id: int) -> list[int]:
    published: list[tuple[int, str]] = []
    settings = simulated_settings()
    plan_campaign(
        engine,
        campaign_id,
        lambda name: providers.batch_size(settings, name),
        HOUR,
        published.extend,
    )
    return [batch_id for batch_id, *_ in published]


def _rows(engine: Engine, campaign_id: int) -> dict[str, tuple]:
    """Each number as it stands: status (an unwritten member reads as its batch), code, family."""
    with engine.connect() as conn:
        return {
            row.phone: (row.status, row.result_code, row.result_family)
            for row in exporting.outcomes(conn, campaign_id)
        }


def _dispatcher(engine: Engine, client: FakeProvider) -> Dispatcher:
    resend = ResendSettings(backoff_seconds=[600.0])
    return Dispatcher(engine, client, SendSettings(), PollSettings(first_delay_seconds=0), resend)


def test_nhn_batches_hold_a_thousand_and_sens_batches_a_hundred(engine, make_campaign) -> None:
    nhn = make_campaign(NUMBERS, provider="nhn")
    sens = make_campaign(numbers(250, start=60_000), provider="sens")
    with engine.connect() as conn:
        _plan(engine, nhn), _plan(engine, sens)
        sizes = conn.execute(
            select(Batch.campaign_id, Batch.provider, Batch.recipient_count).order_by(Batch.id)
        ).all()
    assert [(p, n) for c, p, n in sizes if c == nhn] == [("nhn", 1000), ("nhn", 500)]
    assert [(p, n) for c, p, n in sizes if c == sens] == [
        ("sens", 100),
        ("sens", 100),
        ("sens", 50),
    ]


def test_recipients_refused_inside_an_accepted_request_get_their_own_code(
    engine, make_campaign
) -> None:
    campaign_id = make_campaign(NUMBERS, provider="nhn")
    client = FakeProvider("nhn", delivered, REFUSE)
    dispatcher = _dispatcher(engine, client)
    for batch_id in _plan(engine, campaign_id):
        assert dispatcher.send_batch(batch_id) is SendOutcome.ACCEPTED
    rows = _rows(engine, campaign_id)
    assert rows[INVALID] == ("failed", "-2019", "api")
    assert rows[OPTED_OUT] == ("failed", "-6001", "api")
    # -2021 "failed in saving queue" is a system error of NHN's: re-sent later.
    assert rows[BUSY] == ("retry_wait", "-2021", "api")
    assert {rows[n][0] for n in NUMBERS if n not in REFUSE} == {"accepted"}
    with engine.connect() as conn:
        assert suppressions.listed(conn, NUMBERS) == {OPTED_OUT}  # -6001 is an opt-out


def test_results_carry_provider_and_family_into_history_and_report(engine, make_campaign) -> None:
    campaign_id = make_campaign(NUMBERS[:50], provider="nhn")
    client = FakeProvider("nhn", delivered, {INVALID: ("-2019", "api")})
    [batch_id] = _plan(engine, campaign_id)
    assert _dispatcher(engine, client).send_batch(batch_id) is SendOutcome.ACCEPTED
    poller = Poller(engine, client, PollSettings(mode="request_id"), ResendSettings())
    assert poller.poll_due().results_applied == 49
    rows = _rows(engine, campaign_id)
    assert rows[NUMBERS[0]] == ("delivered", "1000", "reception")
    assert rows[NUMBERS[7]] == ("failed", "3001", "reception")
    with engine.connect() as conn:
        history = conn.execute(
            select(DeliveryAttempt.provider, DeliveryAttempt.family, DeliveryAttempt.code)
            .where(DeliveryAttempt.campaign_id == campaign_id)
            .distinct()
        ).all()
    assert set(history) == {("nhn", "reception", "1000"), ("nhn", "reception", "3001"),
                            ("nhn", "api", "-2019")}  # fmt: skip
    report = campaign_report(engine, campaign_id)
    assert report.status == "completed"
    titles = {(line.provider, line.code): line.title for line in report.by_code}
    # Described in the family it came from: NHN 1000 is "Success", never DLR "ETC Error".
    assert titles[("nhn", "1000")] == "Success"
    assert titles[("nhn", "-2019")] == "Recipient number is invalid"


def test_a_request_refused_with_an_api_code_fails_its_recipients_with_that_code(
    engine, make_campaign
) -> None:
    campaign_id = make_campaign(NUMBERS[:5], provider="nhn")
    client = FakeProvider("nhn", delivered)
    client.fail_next(Rejected("The max recipient size is 1000.", provider="nhn", code="-2016",
                              family="api"))  # fmt: skip
    [batch_id] = _plan(engine, campaign_id)
    assert _dispatcher(engine, client).send_batch(batch_id) is SendOutcome.REJECTED
    assert set(_rows(engine, campaign_id).values()) == {("failed", "-2016", "api")}
    titles = {line.code: line.title for line in campaign_report(engine, campaign_id).by_code}
    assert titles == {"-2016": "The number of recipients is over 1,000"}


def test_a_refusal_without_an_http_status_fails_its_recipients_with_error(
    engine, make_campaign
) -> None:
    campaign_id = make_campaign(numbers(3, start=48_000), provider="nhn")
    [batch_id] = _plan(engine, campaign_id)
    nhn = FakeProvider("nhn", delivered)
    nhn.fail_next(Rejected("refused before any call", provider="nhn"))
    assert _dispatcher(engine, nhn).send_batch(batch_id) is SendOutcome.REJECTED
    assert set(_rows(engine, campaign_id).values()) == {("failed", "ERROR", "internal")}
