"""SENS / NAVER API Gateway error answers mapped to ProviderError kinds, through SensClient.

The provider is faked at the HTTP transport (a requests adapter with canned answers);
the mapping under test is worker.providers.sens.gateway.error_for, as the client uses it.
"""

from typing import Any

import pytest

from config.provider_settings import SensSettings
from tests.unit.scripted_http import ScriptedTransport, mounted, response
from worker.domain.messages import ContentType, MessageType
from worker.providers.base import OutgoingMessage, SendRequest, SentRequest
from worker.providers.errors import (
    AuthFailed,
    GiveUp,
    ProviderError,
    Rejected,
    RetryLater,
    SlowDown,
    TransportError,
)
from worker.providers.sens.client import SensClient
from worker.providers.sens.gateway import PROVIDER, error_for

SECRET_KEY = "SK-gateway-secret-1a2b3c"


def client_answering(status: int, body: Any) -> tuple[SensClient, ScriptedTransport]:
    fake = ScriptedTransport((status, body))
    settings = SensSettings(
        base_url="http://sens.test",
        service_id="ncp:sms:kr:123:abc",
        access_key="AK",
        secret_key=SECRET_KEY,
    )
    return SensClient(settings, session=mounted(fake), clock=lambda: 1_700_000_000.0), fake


def one_sms() -> SendRequest:
    return SendRequest(
        message_type=MessageType.SMS,
        content_type=ContentType.COMM,
        sender="0212345678",
        messages=[OutgoingMessage(to="01012345678", content="hello")],
    )


def send_error(status: int, body: Any) -> ProviderError:
    client, fake = client_answering(status, body)
    with pytest.raises(ProviderError) as info:
        client.send(one_sms())
    assert len(fake.calls) == 1
    return info.value


def gateway(code: str, message: str) -> dict[str, Any]:
    return {"error": {"errorCode": code, "message": message}}


CASES = [
    # status, body, exact kind, code, message
    (
        400,
        {"statusCode": "400", "errorMessage": "Invalid from number"},
        Rejected,
        None,
        "Invalid from number",
    ),
    (400, gateway("100", "Bad Request Exception"), Rejected, "100", "Bad Request Exception"),
    (401, gateway("200", "Authentication Failed"), AuthFailed, "200", "Authentication Failed"),
    (401, gateway("210", "Permission Denied"), AuthFailed, "210", "Permission Denied"),
    (403, gateway("200", "Forbidden"), AuthFailed, "200", "Forbidden"),
    (403, {"statusCode": "403", "errorMessage": "Forbidden"}, AuthFailed, None, "Forbidden"),
    (404, gateway("300", "Not Found Exception"), Rejected, "300", "Not Found Exception"),
    (404, b"", Rejected, None, "Not Found"),  # the status line's reason
    (413, gateway("430", "Request Entity Too Large"), Rejected, "430", "Request Entity Too Large"),
    (429, gateway("400", "Quota Exceeded"), SlowDown, "400", "Quota Exceeded"),
    (429, gateway("410", "Throttle Limited"), SlowDown, "410", "Throttle Limited"),
    (429, gateway("420", "Rate Limited"), SlowDown, "420", "Rate Limited"),
    (500, gateway("900", "Unexpected Error"), RetryLater, "900", "Unexpected Error"),
    (503, gateway("500", "Endpoint Error"), RetryLater, "500", "Endpoint Error"),
    (504, gateway("510", "Endpoint Timeout"), RetryLater, "510", "Endpoint Timeout"),
    (502, b"<html><body>502 Bad Gateway</body></html>", RetryLater, None, "502 Bad Gateway"),
]


@pytest.mark.parametrize(
    ("status", "body", "kind", "code", "message"),
    CASES,
    ids=[f"{c[0]}-{c[3] or 'nocode'}-{c[2].__name__}" for c in CASES],
)
def test_send_error_mapping(
    status: int, body: Any, kind: type[ProviderError], code: str | None, message: str
) -> None:
    error = send_error(status, body)
    assert type(error) is kind
    assert error.status == status
    assert error.code == code
    assert message in error.message
    assert error.provider == PROVIDER


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413])
def test_refusals_are_give_up(status: int) -> None:
    error = send_error(status, {"statusCode": str(status), "errorMessage": "no"})
    assert isinstance(error, GiveUp)
    assert not isinstance(error, RetryLater)


@pytest.mark.parametrize("code", ["400", "410", "420"])
def test_429_is_slow_down_which_is_retry_later(code: str) -> None:
    error = send_error(429, gateway(code, "limited"))
    assert isinstance(error, SlowDown)
    assert isinstance(error, RetryLater)
    assert not isinstance(error, GiveUp)
    assert error.code == code


@pytest.mark.parametrize(
    ("status", "code"), [(500, "900"), (503, "500"), (504, "510"), (502, None)]
)
def test_5xx_is_retry_later_but_not_slow_down(status: int, code: str | None) -> None:
    body = gateway(code, "server side") if code else b"Bad Gateway"
    error = send_error(status, body)
    assert isinstance(error, RetryLater)
    assert not isinstance(error, SlowDown)
    assert not isinstance(error, TransportError)
    assert not isinstance(error, GiveUp)


def test_non_json_502_body_keeps_the_text() -> None:
    error = send_error(502, b"<html>502 Bad Gateway</html>")
    assert type(error) is RetryLater
    assert error.code is None
    assert error.message == "<html>502 Bad Gateway</html>"


def test_error_text() -> None:
    error = send_error(401, gateway("200", "Authentication Failed"))
    assert str(error) == "sens HTTP 401 code 200: Authentication Failed"
    error = send_error(400, {"statusCode": "400", "errorMessage": "Invalid content"})
    assert str(error) == "sens HTTP 400: Invalid content"


def test_gateway_details_are_kept() -> None:
    body = {"error": {"errorCode": "100", "message": "Bad Request", "details": "from missing"}}
    error = send_error(400, body)
    assert error.message == "Bad Request: from missing"


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [(["not", "an", "object"], None, "['not', 'an', 'object']"),
     ({"error": {"errorCode": 210}}, "210", "HTTP 400"),
     ({"error": {"message": "Forbidden"}}, None, "Forbidden"),
     ({"statusCode": "400", "statusName": "fail"}, None, "fail"),
     ({"statusCode": "400"}, None, "{'statusCode': '400'}"),
     ({"errorMessage": "x" * 400}, None, "x" * 300),
     (["x" * 400], None, "['" + "x" * 298)],
)  # fmt: skip
def test_an_error_body_of_any_shape_gives_a_code_and_a_message(body, code, message) -> None:
    error = send_error(400, body)
    assert (error.code, error.message, error.status) == (code, message, 400)


def test_list_errors_map_the_same_way() -> None:
    client, _ = client_answering(429, gateway("410", "Throttle Limited"))
    with pytest.raises(SlowDown) as info:
        list(client.results_for_request(SentRequest("RSMA-1")))
    assert info.value.code == "410"


def test_get_404_with_a_json_body_is_not_swallowed() -> None:
    client, _ = client_answering(404, gateway("300", "Not Found Exception"))
    with pytest.raises(Rejected):
        client.result_for_message("m-1")


def test_send_404_with_an_empty_body_is_rejected() -> None:
    # The "404 with an empty body means no records" rule is for GETs only.
    error = send_error(404, b"")
    assert type(error) is Rejected


def test_errors_never_hold_the_secret() -> None:
    for status, body, *_ in CASES:
        error = send_error(status, body)
        assert SECRET_KEY not in str(error)
        assert SECRET_KEY not in repr(error)


@pytest.mark.parametrize(
    ("status", "kind"),
    [(408, RetryLater), (405, Rejected), (415, Rejected), (422, Rejected), (418, Rejected)],
)
def test_error_for_other_statuses(status: int, kind: type[ProviderError]) -> None:
    assert type(error_for(response(status, {"errorMessage": "x"}))) is kind


def test_an_empty_answer_without_a_reason_phrase_is_named_by_its_status() -> None:
    silent = response(502, b"")
    silent.reason = ""
    assert error_for(silent).message == "HTTP 502"


def test_error_for_truncates_long_bodies() -> None:
    error = error_for(response(502, b"x" * 5000))
    assert len(error.message) == 300
