"""SensClient against a fake provider: a requests transport adapter with canned answers.

Only the HTTP transport is replaced; signing, payloads, paging and error mapping are ours.
"""

import logging
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests

from config.provider_settings import SensSettings
from tests.unit.scripted_http import Call, ScriptedTransport, mounted
from worker.domain.messages import ContentType, MessageType
from worker.domain.signing import signature_v2
from worker.domain.windows import by_request_id, complete_windows, request_windows
from worker.providers.base import (
    OutgoingMessage,
    SendReceipt,
    SendRequest,
    SentProbe,
    SentRequest,
)
from worker.providers.errors import AuthFailed, ProviderError, RetryLater, TransportError
from worker.providers.sens import payloads
from worker.providers.sens.client import SensClient

BASE_URL = "http://sens.test"
SERVICE_ID = "ncp:sms:kr:123:abc"
SERVICE_PATH = f"/sms/v2/services/{SERVICE_ID}"
ACCESS_KEY = "AK-test-access"
SECRET_KEY = "SK-very-secret-0f9e8d7c"
NOW = 1_700_000_000.5  # exactly representable: the timestamp is 1700000000500 ms
SEOUL = ZoneInfo("Asia/Seoul")


def settings(**changes: Any) -> SensSettings:
    values: dict[str, Any] = {
        "base_url": BASE_URL,
        "service_id": SERVICE_ID,
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "connect_timeout": 1.5,
        "read_timeout": 7.25,
    }
    values.update(changes)
    return SensSettings(**values)


def make_client(*answers: Any, **changes: Any) -> tuple[SensClient, ScriptedTransport]:
    fake = ScriptedTransport(*answers)
    return SensClient(settings(**changes), session=mounted(fake), clock=lambda: NOW), fake


def sms(*numbers: str, content: str = "hello", **changes: Any) -> SendRequest:
    values: dict[str, Any] = {
        "message_type": MessageType.SMS,
        "content_type": ContentType.COMM,
        "sender": "0212345678",
        "messages": [OutgoingMessage(to=n, content=content) for n in numbers],
    }
    values.update(changes)
    return SendRequest(**values)


ACCEPTED = (
    202,
    {
        "requestId": "RSMA-1700000000-abc",
        "requestTime": "2025-11-25T10:17:00.123",
        "statusCode": "202",
        "statusName": "success",
    },
)


# --- signing and headers -------------------------------------------------------------------


def assert_signed(call: Call, method: str) -> None:
    headers = call.request.headers
    assert call.request.method == method
    assert headers["x-ncp-apigw-timestamp"] == "1700000000500"
    assert headers["x-ncp-iam-access-key"] == ACCESS_KEY
    expected = signature_v2(method, call.request.path_url, "1700000000500", ACCESS_KEY, SECRET_KEY)
    assert headers["x-ncp-apigw-signature-v2"] == expected


def test_send_is_signed_over_the_exact_path() -> None:
    client, fake = make_client(ACCEPTED)
    client.send(sms("01012345678"))
    (call,) = fake.calls
    assert call.request.url == f"{BASE_URL}{SERVICE_PATH}/messages"
    assert call.request.path_url == f"{SERVICE_PATH}/messages"  # colons kept, not %3A
    assert_signed(call, "POST")
    # Recomputed by hand, to not only trust path_url.
    by_hand = signature_v2(
        "POST",
        "/sms/v2/services/ncp:sms:kr:123:abc/messages",
        "1700000000500",
        ACCESS_KEY,
        SECRET_KEY,
    )
    assert call.request.headers["x-ncp-apigw-signature-v2"] == by_hand
    assert call.request.headers["Content-Type"] == "application/json; charset=utf-8"


def test_list_is_signed_over_path_and_query() -> None:
    client, fake = make_client((200, {"messages": [], "hasMore": False}))
    assert list(client.results_for_request(SentRequest("RSMA-1"))) == []
    (call,) = fake.calls
    assert call.request.path_url == (
        f"{SERVICE_PATH}/messages?requestId=RSMA-1&pageSize=1000&pageIndex=0"
    )
    assert_signed(call, "GET")
    assert call.request.body is None
    assert "Content-Type" not in call.request.headers


def test_query_needing_escapes_is_signed_as_sent() -> None:
    client, fake = make_client((200, {"messages": [], "hasMore": False}))
    list(client.results_for_request(SentRequest("R 1+2/3")))
    (call,) = fake.calls
    assert "requestId=R+1%2B2%2F3" in call.request.path_url
    assert_signed(call, "GET")


def test_timestamp_follows_the_clock() -> None:
    fake = ScriptedTransport(ACCEPTED, ACCEPTED)
    session = requests.Session()
    session.mount("http://", fake)
    times = iter([1.0, 2.25])
    client = SensClient(settings(), session=session, clock=lambda: next(times))
    client.send(sms("01012345678"))
    client.send(sms("01012345678"))
    stamps = [c.request.headers["x-ncp-apigw-timestamp"] for c in fake.calls]
    assert stamps == ["1000", "2250"]
    signatures = {c.request.headers["x-ncp-apigw-signature-v2"] for c in fake.calls}
    assert len(signatures) == 2


def test_base_url_trailing_slash_is_ignored() -> None:
    client, fake = make_client(ACCEPTED, base_url=BASE_URL + "/")
    client.send(sms("01012345678"))
    assert fake.calls[0].request.path_url == f"{SERVICE_PATH}/messages"


# --- timeouts ------------------------------------------------------------------------------


def test_timeouts_are_passed_on_every_call() -> None:
    client, fake = make_client(
        ACCEPTED,
        (200, {"messages": [], "hasMore": True}),
        (200, {"messages": [], "hasMore": False}),
        (404, b""),
    )
    client.send(sms("01012345678"))
    list(client.results_for_request(SentRequest("R")))
    client.result_for_message("M")
    assert len(fake.calls) == 4
    assert [c.timeout for c in fake.calls] == [(1.5, 7.25)] * 4


# --- send body -----------------------------------------------------------------------------


def test_send_body_sms() -> None:
    client, fake = make_client(ACCEPTED)
    client.send(sms("01012345678", "01098765432", content="안녕하세요"))
    assert fake.calls[0].body == {
        "type": "SMS",
        "contentType": "COMM",
        "countryCode": "82",
        "from": "0212345678",
        "content": "안녕하세요",
        "messages": [
            {"to": "01012345678", "content": "안녕하세요"},
            {"to": "01098765432", "content": "안녕하세요"},
        ],
    }


def test_send_body_lms_with_subject_and_per_message_subject() -> None:
    client, fake = make_client(ACCEPTED)
    request = sms(
        message_type=MessageType.LMS,
        content_type=ContentType.AD,
        subject="공지",
        content="(광고) 본문",
        messages=[
            OutgoingMessage(to="01012345678", content="(광고) A", subject="개별 제목"),
            OutgoingMessage(to="01098765432", content="(광고) B"),
        ],
    )
    client.send(request)
    body = fake.calls[0].body
    assert body["type"] == "LMS"
    assert body["contentType"] == "AD"
    assert body["subject"] == "공지"
    assert body["messages"] == [
        {"to": "01012345678", "content": "(광고) A", "subject": "개별 제목"},
        {"to": "01098765432", "content": "(광고) B"},
    ]
    assert "files" not in body


@pytest.mark.parametrize("subject", [None, ""])
def test_send_body_has_no_subject_when_unset(subject: str | None) -> None:
    client, fake = make_client(ACCEPTED)
    client.send(sms("01012345678", subject=subject))
    assert "subject" not in fake.calls[0].body
    assert "subject" not in fake.calls[0].body["messages"][0]


def test_send_body_mms_files() -> None:
    client, fake = make_client(ACCEPTED)
    client.send(sms("01012345678", message_type=MessageType.MMS, file_ids=["f-1"]))
    assert fake.calls[0].body["files"] == [{"fileId": "f-1"}]


# --- send answers --------------------------------------------------------------------------


def test_accepted_send_returns_a_receipt() -> None:
    client, _ = make_client(ACCEPTED)
    receipt = client.send(sms("01012345678"))
    assert receipt == SendReceipt(
        request_id="RSMA-1700000000-abc",
        request_time=datetime(2025, 11, 25, 10, 17, 0, tzinfo=SEOUL),
    )
    assert receipt.request_time is not None
    assert receipt.request_time.utcoffset() == timedelta(hours=9)


@pytest.mark.parametrize("body", [{"statusCode": "202"}, {"requestId": "", "statusCode": "202"}])
def test_an_accept_without_a_request_id_may_have_been_sent(body: dict[str, str]) -> None:
    # Nothing to find the results by: the caller must treat it as a lost answer, not a send.
    client, fake = make_client((202, body))
    with pytest.raises(TransportError) as info:
        client.send(sms("01012345678"))
    assert str(info.value) == "sens: SENS answered without a requestId"
    assert info.value.maybe_sent is True
    assert len(fake.calls) == 1 and fake.calls[0].request.method == "POST"


@pytest.mark.parametrize("status", [300, 301])
def test_a_3xx_answer_is_not_an_acceptance(status: int) -> None:
    # Only a 2xx answer is read for a requestId (API guide: 202 Accepted).
    client, _ = make_client((status, ACCEPTED[1]))
    with pytest.raises(ProviderError) as info:
        client.send(sms("01012345678"))
    assert (info.value.provider, info.value.status) == ("sens", status)


def test_an_empty_accept_is_a_lost_answer_and_an_empty_080_list_is_empty() -> None:
    client, _ = make_client((202, b""), (200, b""))
    with pytest.raises(TransportError, match="without a requestId"):
        client.send(sms("01012345678"))
    assert list(client.opted_out_numbers()) == []


@pytest.mark.parametrize("body", [b"<html>gateway</html>", [ACCEPTED[1]]])
def test_an_accept_we_cannot_read_may_have_been_sent(body: object) -> None:
    client, _ = make_client((202, body))
    with pytest.raises(TransportError) as info:
        client.send(sms("01012345678"))
    assert str(info.value) == "sens: SENS answered HTTP 202 with an unreadable body"
    assert info.value.maybe_sent is True


def test_keys_left_unset_sign_as_empty_rather_than_fail() -> None:
    # A fresh install without keys gets the provider's 401 (and says so), not a crash here.
    client, fake = make_client(ACCEPTED, access_key=None, secret_key=None)
    client.send(sms("01012345678"))
    headers = fake.calls[0].request.headers
    assert headers["x-ncp-iam-access-key"] == ""
    assert headers["x-ncp-apigw-signature-v2"] == signature_v2(
        "POST", f"{SERVICE_PATH}/messages", str(int(NOW * 1000)), "", ""
    )


def test_send_rejects_more_than_100_messages_before_any_call() -> None:
    client, fake = make_client(ACCEPTED)
    numbers = [f"010{n:08d}" for n in range(101)]
    with pytest.raises(ValueError, match="at most 100"):
        client.send(sms(*numbers))
    assert fake.calls == []
    client.send(sms(*numbers[:100]))
    assert len(fake.calls[0].body["messages"]) == 100


def test_send_rejects_an_empty_batch_before_any_call() -> None:
    client, fake = make_client(ACCEPTED)
    with pytest.raises(ValueError, match=r"^a provider request needs at least one message$"):
        client.send(sms())
    assert fake.calls == []


# --- transport errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "maybe_sent"),
    [
        (requests.ConnectTimeout("connect timed out"), False),
        (requests.ConnectionError("Failed to establish a new connection"), False),
        (requests.ReadTimeout("read timed out"), True),
        (
            requests.ConnectionError(
                "('Connection aborted.', RemoteDisconnected('Remote end closed connection'))"
            ),
            True,
        ),
        (requests.ConnectionError("ProtocolError('Connection broken: IncompleteRead')"), True),
        (requests.ConnectionError("[Errno 104] Connection Reset by peer"), True),
        (requests.ConnectTimeout("Connection reset while connecting"), False),
    ],
    ids=["connect-timeout", "refused", "read-timeout", "remote-disconnected", "protocol-error",
         "reset", "reset-before-connect"],
)  # fmt: skip
def test_transport_errors(error: Exception, maybe_sent: bool) -> None:
    client, fake = make_client(error)
    with pytest.raises(TransportError) as info:
        client.send(sms("01012345678"))
    assert info.value.maybe_sent is maybe_sent
    assert info.value.provider == "sens"
    assert isinstance(info.value, RetryLater)
    # What the batch shows an operator: whether the request may have gone, and the error.
    if isinstance(error, requests.ReadTimeout):
        assert info.value.message == "SENS did not answer in time"
    else:
        verb = "connection to SENS lost" if maybe_sent else "cannot reach SENS"
        assert info.value.message == f"{verb}: {type(error).__name__}"
    assert len(fake.calls) == 1


def test_other_request_errors_wait_for_a_fix_rather_than_fail_the_batch() -> None:
    # A malformed URL or header is our configuration, not the message: retry once it is fixed.
    client, _ = make_client(requests.exceptions.InvalidHeader("bad header"))
    with pytest.raises(RetryLater, match="InvalidHeader") as info:
        client.send(sms("01012345678"))
    assert not isinstance(info.value, TransportError)


# --- listing and results -------------------------------------------------------------------


def _item(message_id: str, status: str, **extra: Any) -> dict[str, Any]:
    item = {
        "requestId": "RSMA-1",
        "messageId": message_id,
        "requestTime": "2025-11-25 10:16:59",
        "contentType": "COMM",
        "type": "SMS",
        "countryCode": "82",
        "from": "0212345678",
        "to": "01012345678",
        "status": status,
    }
    item.update(extra)
    return item


def test_results_for_request_pages_until_has_more_is_false() -> None:
    page0 = {
        "statusCode": "202",
        "statusName": "success",
        "messages": [
            _item("m-1", "READY"),
            # Result fields only count once COMPLETED, even if some value came back.
            _item("m-2", "PROCESSING", statusCode="0", statusName="success"),
        ],
        "pageIndex": 0,
        "pageSize": 1000,
        "itemCount": 2,
        "hasMore": True,
    }
    page1 = {
        "statusCode": "202",
        "statusName": "success",
        "messages": [
            _item(
                "m-3",
                "COMPLETED",
                to="01098765432",
                statusCode="3018",
                statusName="fail",
                statusMessage="caller ID spoofing prevention",
                completeTime="2025-11-25 10:17:00",
                telcoCode="SKT",
            )
        ],
        "pageIndex": 1,
        "pageSize": 1000,
        "itemCount": 1,
        "hasMore": False,
    }
    client, fake = make_client((200, page0), (200, page1))
    results = list(client.results_for_request(SentRequest("RSMA-1")))

    assert len(fake.calls) == 2
    queries = [c.request.path_url.split("?", 1)[1] for c in fake.calls]
    assert queries == [
        "requestId=RSMA-1&pageSize=1000&pageIndex=0",
        "requestId=RSMA-1&pageSize=1000&pageIndex=1",
    ]
    for call in fake.calls:
        assert_signed(call, "GET")

    assert [r.message_id for r in results] == ["m-1", "m-2", "m-3"]
    ready, processing, done = results
    assert ready.code is None and not ready.completed
    assert ready.complete_time is None
    assert processing.code is None and not processing.completed
    assert processing.status == "PROCESSING"
    assert done.completed
    assert done.request_id == "RSMA-1"
    assert done.to == "01098765432"
    assert done.status == "COMPLETED"
    assert done.code == "3018"
    assert done.status_message == "caller ID spoofing prevention"
    assert done.telco == "SKT"
    assert done.complete_time == datetime(2025, 11, 25, 10, 17, 0, tzinfo=SEOUL)
    assert done.complete_time is not None
    assert done.complete_time.tzinfo is not None
    assert done.complete_time.utcoffset() == timedelta(hours=9)
    assert done.complete_time.astimezone(ZoneInfo("UTC")).hour == 1


def test_completed_success_code_zero() -> None:
    page = {"messages": [_item("m-1", "COMPLETED", statusCode="0")], "hasMore": False}
    client, _ = make_client((200, page))
    (result,) = client.results_for_request(SentRequest("RSMA-1"))
    assert result.code == "0"
    assert result.completed


def test_an_item_missing_its_fields_reads_as_empty_and_unfinished() -> None:
    # Seed 003 marks these fields mandatory; one missing must not read as a value to match.
    bare = payloads.message_result({})
    assert (bare.request_id, bare.message_id, bare.to, bare.status) == ("", "", "", "")
    assert (bare.code, bare.family, bare.completed) == (None, "", False)


def test_only_a_completed_code_has_a_family_and_an_unlisted_one_is_the_carriers() -> None:
    # Seeds 003/004: reports (0, 2000…, 3000…), responses (1001…, S000…), EMMA (E900…).
    pending = payloads.message_result(_item("m-1", "PROCESSING", statusCode="E901"))
    assert (pending.code, pending.family) == (None, "")
    done = [_item(f"m-{c}", "COMPLETED", statusCode=c) for c in ("E901", "1001", "9999")]
    found = [(r.code, r.family) for r in map(payloads.message_result, done)]
    assert found == [("E901", "emma"), ("1001", "response"), ("9999", "report")]


def test_list_answering_404_with_empty_body_yields_nothing() -> None:
    client, fake = make_client((404, b""))
    assert list(client.results_for_request(SentRequest("RSMA-unknown"))) == []
    assert len(fake.calls) == 1


def test_list_messages_with_a_time_window() -> None:
    client, fake = make_client((200, {"messages": [], "hasMore": False}))
    params = {"completeStartTime": "2025-11-25 10:00:00", "completeEndTime": "2025-11-25 11:00:00"}
    list(client.list_messages(params))
    assert fake.calls[0].request.path_url.endswith(
        "?completeStartTime=2025-11-25+10%3A00%3A00"
        "&completeEndTime=2025-11-25+11%3A00%3A00&pageIndex=0"
    )
    assert_signed(fake.calls[0], "GET")


def test_result_for_message() -> None:
    body = {
        "statusCode": "200",
        "statusName": "success",
        "messages": [
            _item(
                "f574d3f0-aaaa",
                "COMPLETED",
                statusCode="0",
                statusName="success",
                statusMessage="success",
                completeTime="2025-11-25 10:17:05",
                telcoCode="KT",
            )
        ],
    }
    client, fake = make_client((200, body))
    result = client.result_for_message("f574d3f0-aaaa")
    assert fake.calls[0].request.path_url == f"{SERVICE_PATH}/messages/f574d3f0-aaaa"
    assert_signed(fake.calls[0], "GET")
    assert result is not None
    assert result.message_id == "f574d3f0-aaaa"
    assert result.code == "0"
    assert result.telco == "KT"
    assert result.complete_time == datetime(2025, 11, 25, 10, 17, 5, tzinfo=SEOUL)


def test_result_for_unknown_message_is_none() -> None:
    client, _ = make_client((404, b""))
    assert client.result_for_message("nope") is None


def test_result_for_message_with_no_messages_is_none() -> None:
    client, _ = make_client((200, {"statusCode": "200", "statusName": "success", "messages": []}))
    assert client.result_for_message("nope") is None


# --- secrets -------------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _record_text(record: logging.LogRecord) -> str:
    parts = [record.getMessage(), repr(record.args), repr(record.msg)]
    if record.exc_info and record.exc_info[1] is not None:
        parts.append(repr(record.exc_info[1]))
    return " ".join(parts)


def test_secret_never_reaches_logs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    urllib3_log = logging.getLogger("urllib3")
    collect = _Collect()
    urllib3_log.addHandler(collect)
    old_level = urllib3_log.level
    urllib3_log.setLevel(logging.DEBUG)
    errors: list[BaseException] = []
    try:
        with caplog.at_level(logging.DEBUG):
            client, fake = make_client(
                ACCEPTED,
                (401, {"error": {"errorCode": "200", "message": "Authentication Failed"}}),
                requests.ReadTimeout("read timed out"),
                (500, {"error": {"errorCode": "900", "message": "Unexpected Error"}}),
            )
            client.send(sms("01012345678"))
            for _ in range(2):
                with pytest.raises(ProviderError) as info:
                    client.send(sms("01012345678"))
                errors.append(info.value)
            with pytest.raises(RetryLater) as info:
                list(client.results_for_request(SentRequest("RSMA-1")))
            errors.append(info.value)
    finally:
        urllib3_log.removeHandler(collect)
        urllib3_log.setLevel(old_level)

    assert [type(e) for e in errors] == [AuthFailed, TransportError, RetryLater]
    assert any(r.name == "worker.providers.base" for r in caplog.records)  # logging did run
    for record in [*caplog.records, *collect.records]:
        assert SECRET_KEY not in _record_text(record)
    for error in errors:
        assert SECRET_KEY not in str(error)
        assert SECRET_KEY not in repr(error)
        assert SECRET_KEY not in repr(error.args)
    # Nor does it go on the wire: only the access key and the signature do.
    for call in fake.calls:
        wire = f"{call.request.url} {dict(call.request.headers)} {call.request.body!r}"
        assert SECRET_KEY not in wire
        assert ACCESS_KEY in wire


def test_client_does_not_expose_the_secret_in_its_repr() -> None:
    client, _ = make_client()
    assert SECRET_KEY not in repr(client)
    assert SECRET_KEY not in repr(settings())


# --- pages: one HTTP call per page ---------------------------------------------------------


def _page(*items: dict[str, Any], has_more: bool) -> tuple[int, dict[str, Any]]:
    return 200, {"statusCode": "202", "statusName": "success", "messages": list(items),
                 "hasMore": has_more}  # fmt: skip


def test_pages_makes_one_call_per_page_until_has_more_is_false() -> None:
    client, fake = make_client(
        _page(_item("m-1", "COMPLETED", statusCode="0"), has_more=True),
        _page(has_more=True),  # an empty page that still says hasMore: keep going
        _page(_item("m-2", "COMPLETED", statusCode="3001"), has_more=False),
    )
    now = datetime(2025, 11, 25, 12, 0, tzinfo=SEOUL)
    (query,) = complete_windows(now - timedelta(hours=2), now, now)
    pages = list(client.pages(query))
    assert [(p.page_index, p.has_more, len(p.results)) for p in pages] == [
        (0, True, 1),
        (1, True, 0),
        (2, False, 1),
    ]
    assert len(fake.calls) == 3
    queries = [c.request.path_url.split("?", 1)[1] for c in fake.calls]
    assert queries == [
        "completeStartTime=2025-11-25+10%3A00%3A00&completeEndTime=2025-11-25+11%3A59%3A59"
        f"&pageSize=100&pageIndex={i}"
        for i in range(3)
    ]


def test_pages_stop_after_the_page_asked_for() -> None:
    client, fake = make_client(_page(_item("m-1", "READY"), has_more=True))
    first = next(iter(client.pages(by_request_id("RSMA-1", page_size=1))))
    assert (first.page_index, first.has_more) == (0, True)
    assert len(fake.calls) == 1  # lazily: no call for a page nobody asked for


def test_pages_404_with_empty_body_is_one_empty_page() -> None:
    client, fake = make_client((404, b""))
    (only,) = client.pages(by_request_id("RSMA-unknown"))
    assert (only.results, only.page_index, only.has_more) == ([], 0, False)
    assert len(fake.calls) == 1


def test_list_messages_takes_a_list_query_and_parses_request_time() -> None:
    client, fake = make_client(_page(_item("m-1", "READY"), has_more=False))
    now = datetime(2025, 11, 25, 12, 0, tzinfo=SEOUL)
    (query,) = request_windows(now - timedelta(days=1), now, now, page_size=50)
    (result,) = client.list_messages(query)
    assert result.request_time == datetime(2025, 11, 25, 10, 16, 59, tzinfo=SEOUL)
    assert fake.calls[0].request.path_url.endswith(
        "?requestStartTime=2025-11-24+12%3A00%3A00&requestEndTime=2025-11-25+11%3A59%3A59"
        "&pageSize=50&pageIndex=0"
    )


def test_result_pages_ask_by_request_id_1000_a_page() -> None:
    client, fake = make_client(_page(_item("m-1", "READY"), has_more=False))
    (page,) = client.result_pages(SentRequest("RSMA-1"))
    assert [r.message_id for r in page.results] == ["m-1"]
    assert fake.calls[0].request.path_url.endswith("?requestId=RSMA-1&pageSize=1000&pageIndex=0")


def test_completed_pages_sweep_24_hour_windows_one_call_per_page() -> None:
    now = datetime(2025, 11, 25, 12, 0, tzinfo=SEOUL)
    client, fake = make_client(_page(has_more=False), _page(has_more=True), _page(has_more=False))
    pages = list(client.completed_pages(now - timedelta(hours=30), now, now))
    assert [(p.page_index, p.has_more) for p in pages] == [(0, False), (0, True), (1, False)]
    starts = [parse_qs(urlsplit(c.request.path_url).query)["completeStartTime"] for c in fake.calls]
    assert starts == [["2025-11-24 06:00:00"], ["2025-11-25 06:00:00"], ["2025-11-25 06:00:00"]]


def test_sweep_cost_counts_windows_and_extra_pages() -> None:
    client, fake = make_client()
    now = datetime(2025, 11, 25, 12, 0, tzinfo=SEOUL)
    assert client.sweep_cost(now - timedelta(hours=1), now, 0) == 1
    assert client.sweep_cost(now - timedelta(hours=30), now, 250) == 2 + 2
    assert client.sweep_cost(now, now, 10) is None
    assert fake.calls == []


# --- MMS files (seed 003, "Upload files") ---------------------------------------------------


def test_an_image_is_uploaded_signed_in_base64_with_its_expiry() -> None:
    answer = {"fileId": "4fe2078b", "createTime": "2025-11-25T10:17:00.123",
              "expireTime": "2025-12-01T10:17:00.123"}  # fmt: skip
    client, fake = make_client((200, answer))
    uploaded = client.upload_image("a" * 50 + ".jpg", b"\xff\xd8jpeg")
    (call,) = fake.calls
    assert call.request.url == f"{BASE_URL}{SERVICE_PATH}/files"
    assert_signed(call, "POST")
    assert call.body["fileBody"] == "/9hqcGVn"
    assert len(call.body["fileName"]) == 40 and call.body["fileName"].endswith(".jpg")
    assert uploaded.file_id == "4fe2078b"
    assert uploaded.expires_at is not None and uploaded.expires_at.day == 1


def test_an_mms_names_its_file_and_a_refusal_blaming_it_is_file_gone() -> None:
    from worker.providers.errors import FileGone, Rejected

    client, fake = make_client(ACCEPTED)
    client.send(sms("01012345678", message_type=MessageType.MMS, file_ids=["4fe2078b"]))
    assert fake.calls[0].body["files"] == [{"fileId": "4fe2078b"}]
    refused = (400, {"statusCode": "400", "errorMessage": "files[0].fileId 'x' is unknown"})
    client, _ = make_client(refused)
    with pytest.raises(FileGone) as info:
        client.send(sms("01012345678", message_type=MessageType.MMS, file_ids=["x"]))
    assert info.value.file_ids == ("x",)
    gone = info.value
    assert (gone.provider, gone.status, gone.message) == (
        "sens",
        400,
        "files[0].fileId 'x' is unknown",
    )
    client, _ = make_client(refused)
    with pytest.raises(Rejected) as plain:  # the same words on a request without files
        client.send(sms("01012345678"))
    assert not isinstance(plain.value, FileGone)
    other = (400, {"statusCode": "400", "errorMessage": "invalid from number"})
    client, _ = make_client(other)
    with pytest.raises(Rejected) as plain:  # a refusal of an MMS that blames no file
        client.send(sms("01012345678", message_type=MessageType.MMS, file_ids=["x"]))
    assert not isinstance(plain.value, FileGone)


@pytest.mark.parametrize(
    ("name", "sent"),
    [("a" * 36 + ".jpg", "a" * 36 + ".jpg"),  # 40 characters: kept
     ("a" * 37 + ".jpg", "a" * 36 + ".jpg"),  # 41: cut to 40, the extension kept
     ("photo", "photo"),  # short, without an extension: kept as it is
     ("spring.sale." + "b" * 30 + ".jpeg", "spring.sale." + "b" * 23 + ".jpeg")],
)  # fmt: skip
def test_a_file_name_is_cut_to_forty_characters_keeping_its_extension(name, sent) -> None:
    assert payloads.upload_body(name, b"x")["fileName"] == sent
    assert len(sent) == min(len(name), 40)


def test_the_080_list_is_read_a_hundred_a_page_until_a_short_page() -> None:
    page = [{"clientTelNo": f"010{i:08d}"} for i in range(100)]
    last = [{"clientTelNo": "01099999999"}, {"clientTelNo": ""}]
    client, fake = make_client((200, page), (200, page), (200, last))
    numbers = list(client.opted_out_numbers())
    assert len(numbers) == 201 and numbers[-1] == "01099999999"
    asked = [dict(parse_qsl(urlsplit(call.request.url).query)) for call in fake.calls]
    assert asked == [{"pageSize": "100", "pageIndex": str(i)} for i in range(3)]
    assert all(urlsplit(c.request.url).path == f"{SERVICE_PATH}/unsubscribes" for c in fake.calls)


@pytest.mark.parametrize("entries", [[], [{"clientTelNo": f"010{i:08d}"} for i in range(100)]])
def test_the_probe_reads_the_first_080_page_only(entries: list) -> None:
    client, fake = make_client((200, entries))
    assert client.probe() is None
    (call,) = fake.calls
    assert urlsplit(call.request.url).path == f"{SERVICE_PATH}/unsubscribes"
    assert_signed(call, "GET")


def test_sens_pushes_no_results() -> None:
    client, fake = make_client()
    with pytest.raises(NotImplementedError, match=r"^sens pushes no results$"):
        client.webhook_results({"results": []})
    assert client.webhook_problem({}) == "sens pushes no webhooks"
    assert fake.calls == []


def test_an_080_list_answering_404_with_an_empty_body_is_empty() -> None:
    # PROVIDERS.md: a list matching nothing may answer 404 with an empty body.
    client, fake = make_client((404, b""))
    assert list(client.opted_out_numbers()) == []
    assert len(fake.calls) == 1


def test_a_lost_send_is_looked_for_in_seoul_time_and_matched_by_content() -> None:
    since = datetime(2025, 11, 25, 1, 16, tzinfo=ZoneInfo("UTC"))  # 10:16 in Seoul
    probe = SentProbe("0212345678", "01012345678", "hello", "SMS", since,
                      since + timedelta(minutes=2), 17, 0)  # fmt: skip
    listed = {"messages": [_item("m-1", "READY", requestId="R-1"),
                           _item("m-2", "READY", requestId="R-2")], "hasMore": False}  # fmt: skip
    other = {"messages": [{"content": "bye"}]}
    same = {"messages": [{"content": "hello"}]}
    client, fake = make_client((200, listed), (200, other), (200, same))
    assert client.find_sent(probe) == ["R-2"]
    asked = dict(parse_qsl(urlsplit(fake.calls[0].request.url).query))
    assert (asked["requestStartTime"], asked["requestEndTime"]) == (
        "2025-11-25 10:16:00", "2025-11-25 10:18:00")  # fmt: skip
    assert (asked["from"], asked["to"], asked["type"]) == ("0212345678", "01012345678", "SMS")
    assert asked["pageSize"] == "100"  # seed 003: a window lists 20 a page unless asked


def _probe() -> SentProbe:
    since = datetime(2025, 11, 25, 1, 16, tzinfo=ZoneInfo("UTC"))
    return SentProbe("0212345678", "01012345678", "hello", "SMS", since,
                     since + timedelta(minutes=2), 17, 0)  # fmt: skip


def test_a_lost_send_found_twice_names_the_earliest_request_first() -> None:
    # The list comes newest first here; the caller adopts the first one no batch holds.
    newer = _item("m-2", "READY", requestId="R-2", requestTime="2025-11-25 10:17:30")
    older = _item("m-1", "READY", requestId="R-1", requestTime="2025-11-25 10:16:30")
    listed = {"messages": [newer, older], "hasMore": False}
    same = {"messages": [{"content": "hello"}]}
    client, _ = make_client((200, listed), (200, same), (200, same))
    assert client.find_sent(_probe()) == ["R-1", "R-2"]


def test_a_listed_message_its_own_read_no_longer_knows_is_no_match() -> None:
    listed = {"messages": [_item("m-1", "READY", requestId="R-1"),
                           _item("m-2", "READY", requestId="R-2")], "hasMore": False}  # fmt: skip
    same = {"messages": [{"content": "hello"}]}
    client, _ = make_client((200, listed), (404, b""), (200, same))
    assert client.find_sent(_probe()) == ["R-2"]


def test_a_message_read_alone_keeps_the_id_asked_for_when_its_answer_omits_it() -> None:
    item = _item("ignored", "COMPLETED", statusCode="0", completeTime="2025-11-25 10:17:05")
    del item["messageId"]
    client, _ = make_client((200, {"statusCode": "200", "messages": [item]}))
    result = client.result_for_message("f574d3f0-bbbb")
    assert result is not None and result.message_id == "f574d3f0-bbbb"
