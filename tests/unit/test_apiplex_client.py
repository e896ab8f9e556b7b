"""The API PLEX GMS v2 client and its webhook parser against worker/providers/apiplex/WIRE.md.

Only the transport is scripted (tests/unit/scripted_http.py); URL, headers, body, E.164,
answer parsing and error mapping are the client's.
"""

import logging
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from config import providers
from config.provider_settings import ApiplexSettings
from tests.unit.scripted_http import ScriptedTransport, mounted
from tests.unit.seedparse import table_rows
from worker.domain.codes import Outcome, lookup
from worker.domain.messages import ContentType, MessageType
from worker.providers.apiplex import payloads
from worker.providers.apiplex.client import ApiplexClient
from worker.providers.base import CannotTell, OutgoingMessage, SendRequest, SentProbe, SentRequest
from worker.providers.errors import (
    AuthFailed,
    ProviderError,
    Rejected,
    RetryLater,
    SlowDown,
    TransportError,
)

BASE_URL = "http://apiplex.test"
API_KEY = "apiplex-key-5c2e"
# Until the registry has API PLEX (added separately), the base class's batch check needs an
# entry; a real one, once there, is left as it is.
PROVISIONAL = providers.Provider(
    name="apiplex",
    title="API PLEX Global Message",
    settings_field="apiplex",
    settings_model=ApiplexSettings,
    client="worker.providers.apiplex.client:ApiplexClient",
    max_batch=100,
    capabilities=providers.Capabilities(polling=False, webhooks=True, international=True),
)


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    if "apiplex" not in providers.REGISTRY:
        monkeypatch.setitem(providers.REGISTRY, "apiplex", PROVISIONAL)


def make_client(*answers: Any, **settings: Any) -> tuple[ApiplexClient, ScriptedTransport]:
    fake = ScriptedTransport(*answers)
    values = {"base_url": BASE_URL, "api_key": API_KEY, **settings}
    return ApiplexClient(ApiplexSettings(**values), session=mounted(fake)), fake


def status(group: int, code: int | str, name: str = "X") -> dict[str, Any]:
    return {"groupId": group, "groupName": payloads.GROUP_NAMES[str(group)], "id": code,
            "name": name, "description": name.lower()}  # fmt: skip


def accepted(*messages: dict[str, Any], request_id: str = "req-8f1d") -> tuple:
    return 200, {"code": "0", "requestId": request_id, "messages": list(messages)}


def pending(to: str, message_id: str = "m1") -> dict[str, Any]:
    return {"messageId": message_id, "to": to, "status": status(1, 7, "PENDING_ENROUTE")}


def request(*numbers: str, text: str | None = None, **changes: Any) -> SendRequest:
    messages = [OutgoingMessage(to=n, content=text or f"{n[-4:]} hello") for n in numbers]
    values: dict[str, Any] = {
        "message_type": MessageType.SMS,
        "content_type": ContentType.COMM,
        "sender": "BulkSMS",
        "messages": messages,
        "batch_id": 17,
        "attempt": 2,
    }
    values.update(changes)
    return SendRequest(**values)


# --- the request -------------------------------------------------------------------------------


def test_a_send_posts_to_the_route_with_the_key_and_e164_destinations() -> None:
    client, fake = make_client(accepted(pending("+821012345678"), pending("+14155550123")))
    receipt = client.send(request("01012345678", "+14155550123", text="같은 글"))
    (call,) = fake.calls
    assert call.request.method == "POST"
    assert call.request.url == f"{BASE_URL}/gms-kg/v2/send"
    assert call.request.headers["Authorization"] == API_KEY
    assert call.request.headers["Content-Type"] == "application/json"
    # No header beyond the key, the JSON type and what requests always sends.
    assert {name.lower() for name in call.request.headers} - {
        name.lower() for name in requests.utils.default_headers()
    } == {"authorization", "content-type", "content-length"}
    assert call.body == {
        "from": "BulkSMS",
        "text": "같은 글",
        "destinations": [{"to": "+821012345678"}, {"to": "+14155550123"}],
        "echo_to_webhook": "17:2",
    }
    assert (receipt.request_id, receipt.request_time, receipt.refused) == ("req-8f1d", None, ())


def test_the_route_and_the_timeouts_come_from_the_settings() -> None:
    client, fake = make_client(accepted(), route="gms-gk", connect_timeout=1.5, read_timeout=9)
    client.send(request("+14155550123"))
    assert fake.calls[0].request.url == f"{BASE_URL}/gms-gk/v2/send"
    assert fake.calls[0].timeout == (1.5, 9)
    slashed, fake = make_client(accepted(), base_url=f"{BASE_URL}/")
    slashed.send(request("+14155550123"))
    assert fake.calls[0].request.url == f"{BASE_URL}/gms-kg/v2/send"
    # Only the trailing slash goes: a base URL's own path is kept to its last letter.
    pathed, fake = make_client(accepted(), base_url=f"{BASE_URL}/APIPLEX/")
    pathed.send(request("+14155550123"))
    assert fake.calls[0].request.url == f"{BASE_URL}/APIPLEX/gms-kg/v2/send"


def test_without_a_key_the_provider_is_asked_with_an_empty_one_and_refuses() -> None:
    client, fake = make_client((401, {"code": "433", "message": "denied"}), api_key=None)
    with pytest.raises(AuthFailed):
        client.send(request("+14155550123"))
    assert fake.calls[0].request.headers["Authorization"] == ""


@pytest.mark.parametrize("status_code", [300, 301])
def test_a_3xx_answer_is_not_an_acceptance(status_code: int) -> None:
    client, _ = make_client((status_code, {"code": "0", "requestId": "req-1"}))
    with pytest.raises(ProviderError) as info:
        client.send(request("+14155550123"))
    assert (info.value.provider, info.value.status) == ("apiplex", status_code)
    probing, _ = make_client((status_code, {}))
    with pytest.raises(ProviderError):
        probing.probe()


def test_defaults_point_at_the_documented_host() -> None:
    settings = ApiplexSettings()
    assert (settings.base_url, settings.route) == ("https://gi8f5tsosp.apigw.ntruss.com", "gms-kg")
    assert not settings.credentials_set()
    assert ApiplexSettings(api_key="k").credentials_set()


@pytest.mark.parametrize(
    ("number", "country", "expected"),
    [("01012345678", "82", "+821012345678"), ("010-1234-5678", "82", "+821012345678"),
     ("4155550123", "1", "+14155550123"), ("+447911123456", "82", "+447911123456"),
     ("09012345678", "81", "+819012345678"), ("4155550123", "+1", "+14155550123")],
)  # fmt: skip
def test_numbers_become_e164(number: str, country: str, expected: str) -> None:
    assert payloads.e164(number, country) == expected


@pytest.mark.parametrize(("number", "country"), [("12", "82"), ("", "82"), ("01012345678", "999"),
                                                 ("hello", "82"), ("+1", "82")])  # fmt: skip
def test_a_number_that_cannot_be_e164_refuses_the_batch_before_any_call(
    number: str, country: str
) -> None:
    client, fake = make_client()
    with pytest.raises(Rejected, match=r"E\.164"):
        client.send(request("01012345678", number, country_code=country))
    assert fake.calls == []


def test_different_texts_go_per_destination_and_never_at_the_top() -> None:
    client, fake = make_client(accepted())
    client.send(request("01012345678", "01011112222"))
    body = fake.calls[0].body
    assert "text" not in body
    assert body["destinations"] == [
        {"to": "+821012345678", "text": "5678 hello"},
        {"to": "+821011112222", "text": "2222 hello"},
    ]


def test_no_batch_id_sends_no_echo() -> None:
    client, fake = make_client(accepted())
    client.send(request("01012345678", batch_id=None))
    assert "echo_to_webhook" not in fake.calls[0].body


IMAGES = "API PLEX GMS v2 sends text only (no MMS images)"


@pytest.mark.parametrize(
    ("changes", "why"),
    [({"message_type": MessageType.MMS}, IMAGES), ({"file_ids": ["7"]}, IMAGES),
     ({"reserve_time": datetime.now(UTC) + timedelta(hours=1)},
      "API PLEX GMS v2 has no reserved sends")],
)  # fmt: skip
def test_images_and_reservations_are_refused_before_any_call(changes: dict, why: str) -> None:
    client, fake = make_client()
    with pytest.raises(Rejected) as info:
        client.send(request("01012345678", **changes))
    assert (info.value.message, info.value.provider) == (why, "apiplex")
    assert fake.calls == []


def test_the_api_key_is_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client, _ = make_client(accepted(), (401, {"code": "433", "message": "denied"}))
    client.send(request("01012345678"))
    with pytest.raises(AuthFailed):
        client.send(request("01012345678"))
    assert API_KEY not in caplog.text


# --- the answer --------------------------------------------------------------------------------


def test_destinations_undeliverable_or_rejected_at_once_are_refused_with_their_code() -> None:
    answer = accepted(
        pending("+821012345678"),
        {"messageId": "m2", "to": "+821011112222", "status": status(5, 52, "REJECTED_DESTINATION")},
        {"messageId": "m3", "to": "+14155550123", "status": status(2, 9, "UNDELIVERABLE_NOT")},
    )
    client, _ = make_client(answer)
    receipt = client.send(request("01012345678", "010-1111-2222", "+14155550123"))
    first, second = receipt.refused
    # `to` is the number as we gave it, so the result finds its recipient.
    assert (first.to, first.code, first.family, first.message_id) == (
        "010-1111-2222", "52", "result", "m2")  # fmt: skip
    assert (second.to, second.code, second.status) == ("+14155550123", "9", "UNDELIVERABLE")
    assert all(r.completed and r.request_id == "req-8f1d" for r in receipt.refused)
    assert lookup("apiplex", first.code, first.family).outcome is Outcome.FAILED
    # The status's description is the message; without one, its name.
    assert (first.status_message, second.status_message) == (
        "rejected_destination", "undeliverable_not")  # fmt: skip


def test_a_refused_number_answered_without_plus_is_still_ours_as_we_gave_it() -> None:
    answer = accepted({"messageId": "m2", "to": "821011112222", "status": status(5, 52)})
    client, _ = make_client(answer)
    (refused,) = client.send(request("010-1111-2222")).refused
    assert refused.to == "010-1111-2222"


def test_answer_items_that_are_not_objects_are_passed_over() -> None:
    refusal = {"messageId": "m2", "to": "+821011112222", "status": status(5, 52)}
    client, _ = make_client(accepted("m1", None, refusal))
    receipt = client.send(request("01012345678", "01011112222"))
    assert (receipt.request_id, [r.to for r in receipt.refused]) == ("req-8f1d", ["01011112222"])


def test_a_refusal_of_a_number_we_did_not_send_keeps_it_in_our_stored_form() -> None:
    named = {"groupId": 5, "id": 52, "name": "REJECTED_DESTINATION"}
    answer = accepted({"messageId": "m9", "to": "821099998888", "status": named})
    client, _ = make_client(answer)
    (refused,) = client.send(request("01012345678")).refused
    assert (refused.to, refused.status_message, refused.status) == (
        "01099998888", "REJECTED_DESTINATION", "REJECTED")  # fmt: skip


@pytest.mark.parametrize("body", [{"code": "0", "messages": []}, {}, {"requestId": ""}])
def test_a_2xx_without_a_request_id_may_have_been_sent(body: dict[str, Any]) -> None:
    client, _ = make_client((200, body))
    with pytest.raises(TransportError) as info:
        client.send(request("01012345678"))
    assert info.value.maybe_sent and info.value.provider == "apiplex"
    assert info.value.message == "API PLEX answered HTTP 200 without a requestId"


def test_an_unreadable_2xx_may_have_been_sent() -> None:
    client, _ = make_client((200, b"<html>ok</html>"))
    with pytest.raises(TransportError) as info:
        client.send(request("01012345678"))
    assert info.value.maybe_sent


# --- errors, by what the caller should do ------------------------------------------------------


@pytest.mark.parametrize(
    ("status_code", "kind"),
    [(401, AuthFailed), (403, AuthFailed), (429, SlowDown), (500, RetryLater),
     (502, RetryLater), (503, RetryLater), (400, Rejected), (404, Rejected)],
)  # fmt: skip
def test_http_statuses_map_by_what_to_do(status_code: int, kind: type) -> None:
    client, _ = make_client((status_code, {"message": "no"}))
    with pytest.raises(kind) as info:
        client.send(request("01012345678"))
    assert info.value.status == status_code
    assert not isinstance(info.value, TransportError)


def test_a_400_names_its_service_error_in_family_service_error() -> None:
    client, _ = make_client((400, {"code": "351", "message": "invalid destination"}))
    with pytest.raises(Rejected) as info:
        client.send(request("01012345678"))
    error = info.value
    assert (error.code, error.family) == ("351", "service_error")
    assert error.message == "invalid destination"
    assert lookup("apiplex", error.code, error.family).title == "EC_INVALID_DESTINATION_ADDRESS"


def test_a_400_with_a_retryable_service_error_is_still_rejected() -> None:
    # EC_TIME_OUT is retryable for a message; a refused request stays refused.
    client, _ = make_client((400, {"code": 2048, "message": "time out"}))
    with pytest.raises(Rejected) as info:
        client.send(request("01012345678"))
    assert (info.value.code, info.value.family) == ("2048", "service_error")
    assert lookup("apiplex", "2048", "service_error").outcome is Outcome.RETRYABLE


def test_a_code_seed_001_does_not_list_keeps_no_family() -> None:
    client, _ = make_client((400, {"code": "E77", "message": "odd"}))
    with pytest.raises(Rejected) as info:
        client.send(request("01012345678"))
    assert (info.value.code, info.value.family) == ("E77", None)


@pytest.mark.parametrize(
    ("answer", "code", "message"),
    [((502, b"<html>Bad Gateway</html>"), None, "<html>Bad Gateway</html>"),
     ((503, ["not", "an", "object"]), None, "HTTP 503"),
     ((500, {"error": {"errorCode": "500"}}), None, "HTTP 500"),
     ((503, {"error": {"message": "Service Unavailable"}}), None, "Service Unavailable"),
     ((500, {"code": "", "message": "x" * 400}), None, "x" * 300),
     ((500, {"code": 0}), "0", "HTTP 500")],
)  # fmt: skip
def test_an_error_body_of_any_shape_gives_a_code_and_a_message(answer, code, message) -> None:
    client, _ = make_client(answer)
    with pytest.raises(ProviderError) as info:
        client.send(request("01012345678"))
    error = info.value
    assert (error.code, error.message, error.provider, error.status) == (
        code, message, "apiplex", answer[0])  # fmt: skip


def test_the_gateway_error_body_is_read() -> None:
    body = {"error": {"errorCode": "200", "message": "Authentication Failed", "details": "key"}}
    client, _ = make_client((401, body))
    with pytest.raises(AuthFailed) as info:
        client.send(request("01012345678"))
    assert info.value.message == "Authentication Failed: key"
    assert info.value.family is None


def test_a_read_timeout_may_have_been_sent() -> None:
    client, _ = make_client(requests.ReadTimeout("slow"))
    with pytest.raises(TransportError) as info:
        client.send(request("01012345678"))
    assert info.value.maybe_sent
    assert (info.value.provider, info.value.message) == (
        "apiplex",
        "API PLEX did not answer in time",
    )


def test_a_refused_connection_was_not_sent() -> None:
    client, _ = make_client(requests.ConnectionError("refused"))
    with pytest.raises(TransportError) as info:
        client.send(request("01012345678"))
    assert not info.value.maybe_sent


# --- results, lookups and the probe ------------------------------------------------------------


def test_results_are_never_polled() -> None:
    client, fake = make_client()
    assert list(client.result_pages(SentRequest("req-8f1d"))) == []
    assert fake.calls == []


def test_there_is_no_sweep_no_opt_out_list_no_image_and_no_reservation() -> None:
    client, fake = make_client()
    now = datetime.now(UTC)
    assert list(client.completed_pages(now - timedelta(hours=1), now, now)) == []
    assert client.sweep_cost(now - timedelta(hours=1), now, 10) is None
    assert list(client.opted_out_numbers()) == []
    assert client.webhook_opt_outs({"results": [record(3, 5)]}) == []
    with pytest.raises(NotImplementedError, match=r"^apiplex takes no images$"):
        client.upload_image("a.jpg", b"jpeg")
    with pytest.raises(NotImplementedError, match=r"^apiplex has no reserved sends$"):
        client.reservation_status("R-1")
    with pytest.raises(NotImplementedError, match=r"^apiplex has no reserved sends$"):
        client.cancel_reservation("R-1")
    assert fake.calls == []


def test_a_lost_answer_cannot_be_looked_up() -> None:
    client, fake = make_client()
    now = datetime.now(UTC)
    probe = SentProbe("BulkSMS", "01012345678", "hi", "SMS", now, now, 17, 2)
    with pytest.raises(CannotTell, match=r"^API PLEX offers no lookup of sent requests$"):
        client.find_sent(probe)
    assert fake.calls == []


@pytest.mark.parametrize("answer", [(400, {"code": "51", "message": "MISSING_TO"}), accepted()])
def test_the_probe_sends_to_nobody_and_a_400_or_2xx_proves_the_service(answer: tuple) -> None:
    client, fake = make_client(answer)
    client.probe()
    (call,) = fake.calls
    assert call.body == {"from": "", "text": "", "destinations": []}
    assert call.request.headers["Authorization"] == API_KEY


@pytest.mark.parametrize(("status_code", "kind"), [(401, AuthFailed), (429, SlowDown),
                                                   (503, RetryLater)])  # fmt: skip
def test_the_probe_raises_what_a_send_would(status_code: int, kind: type) -> None:
    client, _ = make_client((status_code, {}))
    with pytest.raises(kind):
        client.probe()


# --- the webhook record ------------------------------------------------------------------------


def record(group: int, code: int | str, error: dict[str, Any] | None = None,
           **fields: Any) -> dict[str, Any]:  # fmt: skip
    values = {
        "messageId": "msg-1",
        "to": "+821012345678",
        "sentAt": "2025-03-01T10:00:00+09:00",
        "doneAt": "2025-03-01T10:00:07+09:00",
        "smsCount": 1,
        "mcc": "450",
        "mnc": "05",
        "billing": True,
        "echo_to_webhook": "17:2",
        "status": fields.pop("status", None) or status(group, code, "NAME"),
        "error": error or {"groupId": 0, "groupName": "NO_ERROR", "id": 0, "name": "NO_ERROR",
                           "description": "No error", "permanent": False},
    }  # fmt: skip
    return {**values, **fields}


@pytest.mark.parametrize(("network", "telco"), [({"mcc": "450", "mnc": "05"}, "450-05"),
                                                ({"mcc": "450", "mnc": ""}, "450"),
                                                ({"mcc": "", "mnc": "05"}, None)])  # fmt: skip
def test_the_network_is_mcc_mnc_or_what_there_is_of_it(network: dict, telco: str | None) -> None:
    assert payloads.parse_webhook_record(record(3, 5, **network)).telco == telco


@pytest.mark.parametrize(
    ("status", "named"),
    [({"groupId": 3, "groupName": "DELIVERED_NOW", "id": 5}, "DELIVERED_NOW"),
     ({"groupId": 3, "id": 5}, "DELIVERED"), ({"groupId": 9, "id": 99}, "9")],
)  # fmt: skip
def test_a_status_is_named_by_its_group_name_else_the_known_group(status, named) -> None:
    assert payloads.parse_webhook_record(record(3, 5, status=status)).status == named


def test_a_status_message_names_the_status_and_a_lasting_service_error() -> None:
    error = {"id": 27, "name": "EC_ABSENT_SUBSCRIBER", "permanent": False}
    result = payloads.parse_webhook_record(record(2, 9, error))
    assert result.status_message == "NAME; service error 27 EC_ABSENT_SUBSCRIBER (not permanent)"
    described = {"groupId": 3, "id": 5, "description": "Message delivered"}
    plain = payloads.parse_webhook_record(record(3, 5, status=described))
    assert plain.status_message == "Message delivered"
    assert (
        payloads.parse_webhook_record(record(3, 5, status={"groupId": 3, "id": 5})).status_message
        is None
    )


def test_a_status_message_skips_an_error_without_an_id_and_keeps_300_characters() -> None:
    nameless = payloads.parse_webhook_record(record(3, 5, {"name": "NO_ERROR", "permanent": True}))
    assert nameless.status_message == "NAME"
    long = payloads.parse_webhook_record(
        record(3, 5, status={"groupId": 3, "id": 5, "name": "x" * 400})
    )
    assert long.status_message == "x" * 300


def test_a_delivered_record() -> None:
    result = payloads.parse_webhook_record(record(3, 5))
    assert (result.code, result.family, result.status) == ("5", "result", "DELIVERED")
    assert result.completed
    assert (result.to, result.message_id, result.telco) == ("01012345678", "msg-1", "450-05")
    assert result.request_id == "17:2" and payloads.parse_echo(result.request_id) == (17, 2)
    seoul = timezone(timedelta(hours=9))
    assert result.complete_time == datetime(2025, 3, 1, 10, 0, 7, tzinfo=seoul)
    assert result.request_time == datetime(2025, 3, 1, 10, 0, 0, tzinfo=seoul)
    assert lookup("apiplex", result.code, result.family).outcome is Outcome.DELIVERED


def test_an_undeliverable_record_with_a_permanent_service_error() -> None:
    error = {"groupId": 1, "groupName": "HANDSET_ERRORS", "id": 1,
             "name": "EC_UNKNOWN_SUBSCRIBER", "description": "Unknown subscriber",
             "permanent": True}  # fmt: skip
    result = payloads.parse_webhook_record(record(2, 9, error, to="+14155550123"))
    # The service error is the more specific: an unknown subscriber, failed and suppressed.
    assert (result.code, result.family, result.status) == ("1", "service_error", "UNDELIVERABLE")
    assert result.to == "+14155550123"
    assert "service error 1 EC_UNKNOWN_SUBSCRIBER (permanent)" in (result.status_message or "")
    row = lookup("apiplex", result.code, result.family)
    assert (row.outcome, row.suppress) == (Outcome.FAILED, True)


def busy(permanent: bool | None) -> dict[str, Any]:
    error = {"groupId": 1, "id": 31, "name": "EC_SUBSCRIBER_BUSY_FOR_MT_SMS"}
    return error if permanent is None else {**error, "permanent": permanent}


@pytest.mark.parametrize("permanent", [False, None])
def test_a_transient_service_error_makes_an_undeliverable_status_worth_a_resend(
    permanent: bool | None,
) -> None:
    result = payloads.parse_webhook_record(record(2, 9, busy(permanent)))
    assert (result.code, result.family) == ("31", "service_error")
    assert lookup("apiplex", result.code, result.family).outcome is Outcome.RETRYABLE


@pytest.mark.parametrize(("group", "code", "expected"), [
    (2, 9, ("9", "result")),  # the status fails it: its own code
    (4, 15, ("2", "status_group")),  # the status would re-send it: UNDELIVERABLE instead
])  # fmt: skip
def test_a_permanent_flag_is_never_re_sent(group: int, code: int, expected: tuple) -> None:
    result = payloads.parse_webhook_record(record(group, code, busy(True)))
    assert (result.code, result.family) == expected
    assert lookup("apiplex", result.code, result.family).outcome is Outcome.FAILED


def test_a_delivered_record_ignores_its_error_object() -> None:
    result = payloads.parse_webhook_record(record(3, 5, busy(False)))
    assert (result.code, result.family) == ("5", "result")


@pytest.mark.parametrize(("code", "outcome"), [(15, Outcome.RETRYABLE), (29, Outcome.FAILED)])
def test_an_expired_record(code: int, outcome: Outcome) -> None:
    result = payloads.parse_webhook_record(record(4, code))
    assert (result.code, result.family, result.status) == (str(code), "result", "EXPIRED")
    assert lookup("apiplex", result.code, result.family).outcome is outcome


@pytest.mark.parametrize("code", [3, 7, 26])
def test_a_pending_record_is_not_completed(code: int) -> None:
    result = payloads.parse_webhook_record(record(1, code, doneAt=None))
    assert (result.code, result.status, result.completed) == (None, "PENDING", False)
    assert result.complete_time is None
    # A pending id is pending whatever group it comes under.
    assert payloads.result_code({"groupId": 3, "id": code}) == (None, "result")


def test_an_unknown_id_ends_as_its_group_says() -> None:
    result = payloads.parse_webhook_record(record(3, 999))
    assert (result.code, result.family) == ("3", "status_group")
    assert lookup("apiplex", "3", "status_group").outcome is Outcome.DELIVERED


def test_an_id_missing_from_the_catalogue_is_logged_for_review(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger=payloads.__name__)
    payloads.parse_webhook_record(record(3, 5))
    assert caplog.messages == []
    payloads.parse_webhook_record(record(3, 999))
    payloads.parse_webhook_record(record(3, 999, status={"id": 998}))
    assert caplog.messages == [
        "unknown apiplex result id=999 read as status group 3",
        "apiplex status without a known id or group: id=998 group=",
    ]


def test_a_record_without_a_known_id_or_group_is_not_completed() -> None:
    bare = record(3, 999, status={"id": 999})
    assert not payloads.parse_webhook_record(bare).completed
    assert not payloads.parse_webhook_record({"to": "+821012345678"}).completed


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2025-03-01T01:00:07Z", datetime(2025, 3, 1, 1, 0, 7, tzinfo=UTC)),
     ("2025-03-01 10:00:07", datetime(2025, 3, 1, 1, 0, 7, tzinfo=UTC)),
     (1740790807000, datetime(2025, 3, 1, 1, 0, 7, tzinfo=UTC)),
     (1740790807, datetime(2025, 3, 1, 1, 0, 7, tzinfo=UTC)),
     (1740790807.5, datetime(2025, 3, 1, 1, 0, 7, 500000, tzinfo=UTC)),
     ("  2025-03-01T10:00:07+09:00 ", datetime(2025, 3, 1, 1, 0, 7, tzinfo=UTC)),
     # Milliseconds from 1973 on (above 10**11), seconds below.
     (100000001000, datetime(1973, 3, 3, 9, 46, 41, tzinfo=UTC)),
     (99999999999, datetime(5138, 11, 16, 9, 46, 39, tzinfo=UTC)),
     # Past the year 9999, or no number at all: unreadable, not an error.
     (10**20, None), (float("inf"), None), (float("nan"), None),
     ("yesterday", None), (None, None), ("", None), ("   ", None), (True, None)],
)  # fmt: skip
def test_times_are_read_leniently(value: Any, expected: datetime | None) -> None:
    assert payloads.parse_time(value) == expected


def every_seed_status() -> list[tuple[str, str]]:
    return [(row.cells["group id"], row.code) for row in table_rows("apiplex", "result")]


def test_every_code_the_parser_can_emit_is_in_the_catalogue() -> None:
    statuses = every_seed_status()
    assert len(statuses) == 30  # seed 000, "Message Result Code (v2)"
    groups = [str(row.code) for row in table_rows("apiplex", "status_group")]
    for group, code in [*statuses, *((g, "999") for g in groups), ("", "999")]:
        result = payloads.parse_webhook_record(record(0, 0, status={"groupId": group, "id": code}))
        if result.completed:
            row = lookup("apiplex", result.code or "", result.family)
            assert row.family == result.family, (group, code)
        assert result.completed is (group != "1" and (group, code) != ("", "999")
                                    and code not in {"3", "7", "26"}), (group, code)  # fmt: skip


def test_the_webhook_body_holds_a_list_of_records() -> None:
    body = {"results": [record(3, 5), record(5, 10)]}
    assert payloads.webhook_problem(body) is None
    assert [r.code for r in payloads.parse_webhook_body(body)] == ["5", "10"]
    listed = "'results' must be a list of objects"
    for shape in ({"results": {}}, ["results"], {"results": [record(3, 5), "x"]}, {}):
        assert payloads.webhook_problem(shape) == listed
    assert payloads.webhook_problem({"results": [record(3, 5), {"to": "+82"}]}) == (
        "results[1] lacks 'to' or a 'status' object")  # fmt: skip


def test_the_client_checks_a_webhook_body_as_the_payloads_do() -> None:
    client, _ = make_client()
    assert client.webhook_problem({"results": [record(3, 5)]}) is None
    assert client.webhook_problem({"results": "x"}) == "'results' must be a list of objects"


# --- the echo key ------------------------------------------------------------------------------


@pytest.mark.parametrize(("batch_id", "attempt"), [(17, 0), (1, 12), (123456789, 3)])
def test_the_echo_key_round_trips(batch_id: int, attempt: int) -> None:
    assert payloads.parse_echo(payloads.echo_key(batch_id, attempt)) == (batch_id, attempt)


@pytest.mark.parametrize("text", ["", "17", "17:", ":2", "a:b", "17:2:1", "-1:0", None, 17])
def test_anything_else_is_not_an_echo_key(text: Any) -> None:
    assert payloads.parse_echo(text) is None
