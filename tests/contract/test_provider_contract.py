"""One contract over every provider in config/providers.py, each against its own simulator:
send, refusals, every error class, paging by request and by sweep, reservation and cancel."""

from datetime import UTC, datetime, timedelta

import pytest

import simulator.apiplex.outcomes
import simulator.nhn.outcomes
import simulator.outcomes
from tests.contract.conftest import SEED, Provider, eventually
from worker.domain.codes import Outcome, lookup, matches
from worker.domain.messages import ContentType, MessageType
from worker.domain.reservations import ReservationStatus
from worker.providers.base import (
    CannotTell,
    OutgoingMessage,
    SendRequest,
    SentProbe,
    SentRequest,
)
from worker.providers.errors import (
    AuthFailed,
    Rejected,
    RetryLater,
    SlowDown,
    TransportError,
)


# Each simulator's own code for a number (the same class for the same number in both).
def _apiplex_code(seed: int, number: str) -> str:
    """The code our client reads from the record: the service error where one is named
    (payloads.judged_code), else the result id."""
    found = simulator.apiplex.outcomes.code_for(seed, number)
    if found.delivered or found.error.id == 0:
        return str(found.status.id)
    return str(found.error.id)


SIMULATED_CODE = {
    "sens": simulator.outcomes.code_for,
    "nhn": simulator.nhn.outcomes.code_for,
    "apiplex": _apiplex_code,
}


def request(
    numbers_: list[str], kind: MessageType = MessageType.SMS, **changes: object
) -> SendRequest:
    messages = [
        OutgoingMessage(to=n, content=f"{n[-4:]}님 안녕하세요", variables={"name": n[-4:]})
        for n in numbers_
    ]
    values: dict = {
        "message_type": kind,
        "content_type": ContentType.COMM,
        "sender": "0212345678",
        "messages": messages,
        "template": "{name}님 안녕하세요",
        "subject": None if kind is MessageType.SMS else "안내",
        "batch_id": 1,
    }
    values.update(changes)
    return SendRequest(**values)


def expected_family(provider: str, code: str) -> str:
    if provider == "nhn":
        return "reception"
    if provider == "apiplex":
        return "result" if code in ("2", "5") else "service_error"
    return matches(provider, code)[0].family


def completed(provider: Provider, sent: SentRequest, count: int, batch_id: int = 1) -> list:
    client = provider.client()

    def all_final() -> list:
        found = provider.results(client, sent.request_id, sent.message_type, batch_id)
        final = [r for r in found if r.completed]
        return final if len(final) == count else []

    return eventually(all_final)


def test_a_request_is_accepted_once_and_its_results_carry_the_simulated_codes(
    provider: Provider,
) -> None:
    sent_numbers = provider.numbers(60)
    receipt = provider.client().send(request(sent_numbers))
    assert receipt.request_id and receipt.refused == ()
    stats = provider.stats()
    assert (stats["requests_accepted"], stats["messages_accepted"]) == (1, 60)
    assert stats["duplicate_messages"] == 0
    results = completed(provider, SentRequest(receipt.request_id, "SMS"), 60)
    assert {r.to for r in results} == set(sent_numbers)
    for result in results:
        code = SIMULATED_CODE[provider.name](SEED, result.to)
        assert (result.code, result.family) == (code, expected_family(provider.name, code))
        assert result.message_id
        if provider.polled:
            assert result.request_id == receipt.request_id
        else:  # pushed: the record echoes our batch key instead
            assert result.batch_id == 1
    outcomes = {lookup(provider.name, r.code, r.family).outcome for r in results}
    assert Outcome.DELIVERED in outcomes and len(outcomes) >= 2


def test_a_long_message_is_accepted_with_its_subject(provider: Provider) -> None:
    receipt = provider.client().send(request(provider.numbers(3), MessageType.LMS))
    results = completed(provider, SentRequest(receipt.request_id, "LMS"), 3)
    assert len(results) == 3


def test_a_bad_recipient_is_refused_alone_or_with_its_whole_request(provider: Provider) -> None:
    bad = "0101234"  # too short to be a Korean mobile number
    client = provider.client()
    if provider.entry.capabilities.partial_refusal:
        receipt = client.send(request([*provider.numbers(2), bad]))
        (refused,) = receipt.refused
        assert refused.to == bad and refused.completed
        assert lookup(provider.name, refused.code, refused.family).outcome is Outcome.FAILED
        assert provider.stats()["messages_accepted"] == 2
    else:
        with pytest.raises(Rejected):
            client.send(request([*provider.numbers(2), "010-12AB"]))
        assert provider.stats()["messages_accepted"] == 0


@pytest.mark.parametrize(
    ("faults", "kind"),
    [({"rate_429": 1.0}, SlowDown), ({"rate_5xx": 1.0}, RetryLater)],
    ids=["429", "5xx"],
)
def test_throttling_and_server_errors_are_retried_and_nothing_is_sent(
    provider: Provider, faults: dict, kind: type
) -> None:
    provider.faults(**faults)
    with pytest.raises(kind) as info:
        provider.client().send(request(provider.numbers(2)))
    assert not isinstance(info.value, TransportError)
    assert provider.stats()["messages_accepted"] == 0


def test_wrong_keys_are_an_auth_failure(provider: Provider) -> None:
    with pytest.raises(AuthFailed):
        provider.client(**provider.wrong_keys()).send(request(provider.numbers(1)))
    assert provider.stats()["messages_accepted"] == 0


def test_content_the_provider_cannot_take_is_rejected(provider: Provider) -> None:
    if provider.abroad:
        pytest.skip("API PLEX sends a long text in parts; MAX_PARTS is checked before a call")
    too_long = request(
        provider.numbers(1), template="", messages=[OutgoingMessage("01071234567", "가" * 46)]
    )
    with pytest.raises(Rejected):
        provider.client().send(too_long)
    assert provider.stats()["messages_accepted"] == 0


def test_a_slow_answer_may_have_been_sent(provider: Provider) -> None:
    provider.faults(slow_rate=1.0, slow_seconds=1.0)
    with pytest.raises(TransportError) as info:
        provider.client(read_timeout=0.3).send(request(provider.numbers(1)))
    assert info.value.maybe_sent is True
    # The simulator takes it after the client gave up, once; waiting for that also keeps the
    # request from being counted by the next test, after its reset.
    eventually(lambda: provider.stats()["messages_accepted"] == 1)
    assert provider.stats()["messages_accepted"] == 1


def test_a_lost_answer_was_sent_although_the_client_saw_a_timeout(provider: Provider) -> None:
    provider.faults(lost_rate=1.0, lost_seconds=1.0)
    with pytest.raises(TransportError) as info:
        provider.client(read_timeout=0.3).send(request(provider.numbers(2)))
    assert info.value.maybe_sent is True
    stats = provider.stats()
    assert (stats["messages_accepted"], stats["lost_answers"]) == (2, 1)


def test_nobody_listening_was_not_sent(provider: Provider) -> None:
    with pytest.raises(TransportError) as info:
        provider.client(base_url="http://127.0.0.1:9", connect_timeout=0.5).send(
            request(provider.numbers(1))
        )
    assert info.value.maybe_sent is False


def test_results_by_request_and_by_sweep_page_through_everything(provider: Provider) -> None:
    if not provider.polled:
        pytest.skip(f"{provider.name} has no result query: its results come by webhook")
    client, size = provider.client(), provider.entry.max_batch
    started = datetime.now(UTC) - timedelta(seconds=2)
    sent_numbers = provider.numbers(1200)
    receipts = [
        client.send(request(sent_numbers[i : i + size])) for i in range(0, len(sent_numbers), size)
    ]
    for receipt, first in zip(receipts, range(0, 1200, size), strict=True):
        count = len(sent_numbers[first : first + size])
        completed(provider, SentRequest(receipt.request_id, "SMS"), count)

    def sweep() -> list:
        # A result may be listed by time a moment after it is listed by request (NHN's
        # updateDate comes after resultDate): sweep until every one shows.
        now = datetime.now(UTC)
        pages = list(client.completed_pages(started, now, now))
        swept = {r.to for page in pages for r in page.results if r.completed}
        return pages if swept == set(sent_numbers) else []

    pages = eventually(sweep)
    assert len(pages) >= 2 and pages[-1].has_more is False
    now = datetime.now(UTC)
    assert client.sweep_cost(started, now, 1200) >= len(pages) - 1


def test_a_reservation_waits_until_cancelled_and_never_goes_out(provider: Provider) -> None:
    can = provider.entry.capabilities
    if not can.reservations:
        pytest.skip(f"{provider.name} takes no reservations")
    client = provider.client()
    at = (datetime.now(UTC) + can.reserve_min_lead + timedelta(minutes=2)).replace(second=0)
    kept = client.send(request(provider.numbers(2), reserve_time=at))
    withdrawn = client.send(request(provider.numbers(2, start=10), reserve_time=at))
    assert client.reservation_status(kept.request_id) == ReservationStatus.READY.value
    client.cancel_reservation(withdrawn.request_id)
    assert client.reservation_status(withdrawn.request_id) == ReservationStatus.CANCELED.value
    with pytest.raises(Rejected):
        client.cancel_reservation(withdrawn.request_id)
    provider.advance((can.reserve_min_lead + timedelta(minutes=3)).total_seconds())
    assert eventually(lambda: client.reservation_status(kept.request_id) == "DONE")
    results = completed(provider, SentRequest(kept.request_id, "SMS"), 2)
    assert len(results) == 2
    late = list(client.results_for_request(SentRequest(withdrawn.request_id, "SMS")))
    assert not [r for r in late if r.completed and r.code not in ("4",)]


# --- finding a request whose answer was lost -------------------------------------------------


def probe_for(sent: SendRequest, since: datetime, **changes: object) -> SentProbe:
    first = sent.messages[0]
    values: dict = {
        "sender": sent.sender,
        "to": first.to,
        "content": first.content,
        "message_type": sent.message_type.value,
        "since": since - timedelta(seconds=60),
        "until": datetime.now(UTC) + timedelta(seconds=1),
        "batch_id": sent.batch_id,
        "attempt": sent.attempt,
    }
    values.update(changes)
    return SentProbe(**values)


def test_a_request_whose_answer_was_lost_is_found_with_its_id(provider: Provider) -> None:
    provider.faults(lost_rate=1.0, lost_seconds=1.0)
    since = datetime.now(UTC)
    sent = request(provider.numbers(3, start=500), batch_id=41, attempt=2)
    with pytest.raises(TransportError):
        provider.client(read_timeout=0.3).send(sent)
    provider.faults(lost_rate=0.0)
    if not provider.looks_up:
        # It cannot be asked, but its webhook records carry our batch key: proof it was sent.
        with pytest.raises(CannotTell):
            provider.client().find_sent(probe_for(sent, since))
        found = completed(provider, SentRequest("", "SMS"), 3, batch_id=41)
        assert sorted(r.to for r in found) == provider.numbers(3, start=500)
        return
    [request_id] = provider.client().find_sent(probe_for(sent, since))
    found = completed(provider, SentRequest(request_id), 3)
    assert sorted(r.to for r in found) == provider.numbers(3, start=500)


def test_a_request_never_made_is_positively_absent(provider: Provider) -> None:
    if not provider.looks_up:
        pytest.skip(f"{provider.name} offers no lookup of sent requests")
    since = datetime.now(UTC)
    sent = request(provider.numbers(2, start=600), batch_id=42, attempt=1)
    provider.client().send(sent)
    client = provider.client()
    # Another number, another attempt of the batch, another text, a time before it: none.
    assert client.find_sent(probe_for(sent, since, to=provider.numbers(1, start=700)[0])) == []
    assert client.find_sent(probe_for(sent, since, content="다른 내용")) == []
    before = since - timedelta(hours=2)
    assert client.find_sent(probe_for(sent, before, until=before + timedelta(minutes=30))) == []
    assert len(client.find_sent(probe_for(sent, since))) == 1


def test_every_matching_request_is_listed_oldest_first(provider: Provider) -> None:
    if not provider.looks_up:
        pytest.skip(f"{provider.name} offers no lookup of sent requests")
    since = datetime.now(UTC)
    sent = request(provider.numbers(1, start=800), batch_id=43, attempt=1)
    first = provider.client().send(sent).request_id
    second = provider.client().send(sent).request_id  # the same message again
    assert provider.client().find_sent(probe_for(sent, since)) == [first, second]
