"""The NHN Cloud client against the API v3.0 guide's own example requests and answers.

Only the transport is scripted (tests/unit/scripted_http.py); paths, headers, bodies,
paging, result parsing and error mapping are the client's.
"""

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from config.provider_settings import NhnSettings
from tests.unit.scripted_http import ScriptedTransport, mounted
from worker.domain.codes import Outcome, lookup
from worker.domain.messages import ContentType, MessageType
from worker.providers.base import OutgoingMessage, SendRequest, SentProbe, SentRequest
from worker.providers.errors import AuthFailed, Rejected, RetryLater, SlowDown, TransportError
from worker.providers.nhn import hooks, payloads, reservations
from worker.providers.nhn.client import NhnClient

BASE_URL = "http://nhn.test"
APP_KEY = "AppKey-test-7f3a"
SECRET_KEY = "SK-nhn-secret-9e1d"
PATH = f"/sms/v3.0/appKeys/{APP_KEY}"
OK = {"isSuccessful": True, "resultCode": 0, "resultMessage": "SUCCESS"}


def make_client(*answers: Any, **changes: Any) -> tuple[NhnClient, ScriptedTransport]:
    fake = ScriptedTransport(*answers)
    values: dict[str, Any] = {"base_url": BASE_URL, "app_key": APP_KEY, "secret_key": SECRET_KEY}
    settings = NhnSettings(**{**values, **changes})
    return NhnClient(settings, session=mounted(fake)), fake


def accepted(*results: dict[str, Any], request_id: str = "20180810100630ReZQ6KZzAH0") -> tuple:
    data = {"requestId": request_id, "statusCode": "2", "sendResultList": list(results)}
    return 200, {"header": OK, "body": {"data": data}}


def ok_result(number: str, seq: int) -> dict[str, Any]:
    return {"recipientNo": number, "resultCode": 0, "resultMessage": "SUCCESS", "recipientSeq": seq}


def request(*numbers: str, kind: MessageType = MessageType.SMS, **changes: Any) -> SendRequest:
    messages = [
        OutgoingMessage(to=n, content=f"{n[-4:]}님 안녕하세요", variables={"name": n[-4:]})
        for n in numbers
    ]
    values: dict[str, Any] = {
        "message_type": kind,
        "content_type": ContentType.COMM,
        "sender": "15446859",
        "messages": messages,
        "template": "{name}님 안녕하세요",
        "batch_id": 17,
    }
    values.update(changes)
    return SendRequest(**values)


def query(call: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


# --- sending ---------------------------------------------------------------------------------


def test_sms_goes_to_sender_sms_with_the_secret_key_header() -> None:
    client, fake = make_client(accepted(ok_result("01000000000", 1)))
    receipt = client.send(request("01000000000"))
    (call,) = fake.calls
    assert call.request.method == "POST"
    assert call.request.url == f"{BASE_URL}{PATH}/sender/sms"
    assert call.request.headers["X-Secret-Key"] == SECRET_KEY
    assert call.request.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert receipt.request_id == "20180810100630ReZQ6KZzAH0"
    assert receipt.refused == ()
    assert receipt.request_time is None  # this answer names no requestDate
    dated = {"requestId": "R2", "requestDate": "2018-08-10 10:06:30.0",
             "sendResultList": [{"recipientNo": "0100", "recipientSeq": 1}]}  # fmt: skip
    later = payloads.receipt(dated)
    assert later.request_time == datetime(2018, 8, 10, 1, 6, 30, tzinfo=UTC)
    assert later.refused == ()  # no resultCode: not refused


@pytest.mark.parametrize(
    ("base_url", "prefix"),
    [(BASE_URL, BASE_URL), (f"{BASE_URL}/", BASE_URL), (f"{BASE_URL}/NHNX/", f"{BASE_URL}/NHNX")],
    ids=["bare", "slashed", "own path"],
)
def test_the_base_url_loses_only_its_trailing_slash(base_url: str, prefix: str) -> None:
    client, fake = make_client(accepted(ok_result("01000000000", 1)), base_url=base_url)
    client.send(request("01000000000"))
    # A base URL's own path (a relay in front of NHN) is kept to its last letter.
    assert fake.calls[0].request.url == f"{prefix}{PATH}/sender/sms"


def test_without_keys_nhn_is_asked_with_empty_ones_and_refuses() -> None:
    # The factory refuses unset keys first; a client built by hand still sends no made-up key.
    client, fake = make_client(failing(-1000, "Invalid appKey."), app_key=None, secret_key=None)
    with pytest.raises(AuthFailed):
        client.send(request("01000000000"))
    (call,) = fake.calls
    assert call.request.url == f"{BASE_URL}/sms/v3.0/appKeys//sender/sms"
    assert call.request.headers["X-Secret-Key"] == ""


def test_the_template_goes_once_and_each_recipient_carries_its_parameters() -> None:
    client, fake = make_client(accepted(ok_result("01000000000", 1), ok_result("01000001111", 2)))
    client.send(request("01000000000", "01000001111"))
    body = fake.calls[0].body
    assert body["body"] == "##name##님 안녕하세요"
    assert body["sendNo"] == "15446859"
    assert body["senderGroupingKey"] == "batch-17-0"  # batch 17, attempt 0
    assert body["recipientList"] == [
        {
            "recipientNo": "01000000000",
            "countryCode": "82",
            "recipientGroupingKey": "01000000000",
            "templateParameter": {"name": "0000"},
        },
        {
            "recipientNo": "01000001111",
            "countryCode": "82",
            "recipientGroupingKey": "01000001111",
            "templateParameter": {"name": "1111"},
        },
    ]
    assert "title" not in body and "requestDate" not in body


@pytest.mark.parametrize(
    ("kind", "content_type", "path"),
    [
        (MessageType.SMS, ContentType.COMM, "/sender/sms"),
        (MessageType.LMS, ContentType.COMM, "/sender/mms"),
        (MessageType.MMS, ContentType.COMM, "/sender/mms"),
        (MessageType.SMS, ContentType.AD, "/sender/ad-sms"),
        (MessageType.LMS, ContentType.AD, "/sender/ad-mms"),
    ],
)
def test_each_type_has_its_endpoint(
    kind: MessageType, content_type: ContentType, path: str
) -> None:
    client, fake = make_client(accepted(ok_result("01000000000", 1)))
    client.send(request("01000000000", kind=kind, content_type=content_type, subject="제목"))
    assert fake.calls[0].request.url == f"{BASE_URL}{PATH}{path}"
    body = fake.calls[0].body
    assert ("title" in body) is (kind is not MessageType.SMS)


def test_a_foreign_number_goes_on_the_sms_endpoint_with_its_own_country_code() -> None:
    client, fake = make_client(accepted(ok_result("9012345678", 1)))
    client.send(request("+819012345678", "01000000000", kind=MessageType.INTL, subject="x"))
    assert fake.calls[0].request.url == f"{BASE_URL}{PATH}/sender/sms"
    body = fake.calls[0].body
    assert "title" not in body
    assert [(r["recipientNo"], r["countryCode"], r["recipientGroupingKey"])
            for r in body["recipientList"]] == [
        ("9012345678", "81", "+819012345678"),
        ("01000000000", "82", "01000000000"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("item", "ours"),
    [
        ({"recipientNo": "9012345678", "countryCode": "81"}, "+819012345678"),
        ({"recipientNo": "09012345678", "countryCode": "81"}, "+819012345678"),
        ({"recipientNo": "01012345678", "countryCode": "82"}, "01012345678"),
        ({"recipientNo": "01012345678"}, "01012345678"),
        ({"recipientNo": "9012345678", "recipientGroupingKey": "+819012345678"}, "+819012345678"),
    ],
)
def test_an_answer_names_the_number_as_we_store_it(item: dict, ours: str) -> None:
    assert payloads.stored_number(item) == ours


def test_a_national_number_goes_with_the_requests_country_code() -> None:
    client, fake = make_client(accepted(ok_result("4155550123", 1)))
    client.send(request("4155550123", kind=MessageType.INTL, country_code="1"))
    (sent,) = fake.calls[0].body["recipientList"]
    assert (sent["recipientNo"], sent["countryCode"]) == ("4155550123", "1")


def test_a_placeholder_a_recipient_has_no_value_for_is_sent_empty() -> None:
    client, fake = make_client(accepted(ok_result("01000000000", 1)))
    client.send(request("01000000000", template="{name}님 {coupon} 안녕하세요"))
    (sent,) = fake.calls[0].body["recipientList"]
    assert sent["templateParameter"] == {"coupon": "", "name": "0000"}


def test_a_long_message_without_a_subject_has_an_empty_title() -> None:
    client, fake = make_client(accepted(ok_result("01000000000", 1)))
    client.send(request("01000000000", kind=MessageType.LMS))
    assert fake.calls[0].body["title"] == ""


def test_an_mms_names_its_images_by_numeric_file_id() -> None:
    client, fake = make_client(accepted(ok_result("01000000000", 1)))
    client.send(request("01000000000", kind=MessageType.MMS, subject="s", file_ids=["7", "12"]))
    assert fake.calls[0].body["attachFileIdList"] == [7, 12]


def test_a_reservation_is_a_request_date_in_seoul_minutes() -> None:
    client, fake = make_client(accepted(ok_result("01000000000", 1)))
    at = datetime(2026, 12, 24, 0, 30, 45, tzinfo=UTC)  # 09:30:45 in Seoul
    client.send(request("01000000000", reserve_time=at))
    assert fake.calls[0].body["requestDate"] == "2026-12-24 09:30"


def test_a_recipient_refused_inside_an_accepted_request_keeps_its_own_code() -> None:
    refused = {"recipientNo": "0101", "resultCode": -2019, "recipientSeq": 2,
               "resultMessage": "RecipientNo is invalid."}  # fmt: skip
    client, _ = make_client(accepted(ok_result("01000000000", 1), refused))
    receipt = client.send(request("01000000000", "01000001111"))
    (result,) = receipt.refused
    assert (result.to, result.code, result.family, result.message_id) == (
        "0101",
        "-2019",
        "api",
        "2",
    )
    assert (result.request_id, result.status) == ("20180810100630ReZQ6KZzAH0", "REFUSED")
    assert result.status_message == "RecipientNo is invalid."
    assert result.completed
    assert lookup("nhn", result.code, result.family).outcome is Outcome.FAILED
    unnumbered = payloads.receipt({"requestId": "R", "sendResultList": [{"resultCode": -2019}]})
    assert unnumbered.refused[0].message_id == ""


@pytest.mark.parametrize("code", ["3", 3])
def test_a_request_nhn_failed_as_a_whole_is_retried(code: str | int) -> None:
    data = {"requestId": "R", "statusCode": code, "sendResultList": []}
    client, _ = make_client((200, {"header": OK, "body": {"data": data}}))
    with pytest.raises(RetryLater) as info:
        client.send(request("01000000000"))
    assert (info.value.message, info.value.provider) == (
        "NHN Cloud: request failed (statusCode 3)", "nhn")  # fmt: skip
    assert not isinstance(info.value, TransportError)


def test_a_failed_request_that_lists_its_recipients_is_read_for_their_refusals() -> None:
    refused = {"recipientNo": "01000000000", "resultCode": -2019, "recipientSeq": 1}
    data = {"requestId": "R", "statusCode": "3", "sendResultList": [refused]}
    client, _ = make_client((200, {"header": OK, "body": {"data": data}}))
    receipt = client.send(request("01000000000"))
    assert (receipt.request_id, [r.code for r in receipt.refused]) == ("R", ["-2019"])


def test_an_accepted_request_without_a_result_list_is_accepted() -> None:
    client, _ = make_client(accepted())
    receipt = client.send(request("01000000000"))
    assert (receipt.request_id, receipt.refused) == ("20180810100630ReZQ6KZzAH0", ())


def test_more_than_a_thousand_recipients_are_refused_before_any_call() -> None:
    client, fake = make_client()
    with pytest.raises(ValueError, match="at most 1000"):
        client.send(request(*(f"010{i:08d}" for i in range(1001))))
    assert fake.calls == []


# --- errors, by what the caller should do ------------------------------------------------------


def failing(code: int, message: str = "x", status: int = 200) -> tuple:
    return status, {"header": {"isSuccessful": False, "resultCode": code, "resultMessage": message}}


@pytest.mark.parametrize("code", [-1000, -1001, -1002, -1003, -1004, -1007, -1008])
def test_key_and_project_codes_are_auth_failures(code: int) -> None:
    client, _ = make_client(failing(code))
    with pytest.raises(AuthFailed) as info:
        client.send(request("01000000000"))
    assert (info.value.code, info.value.family) == (str(code), "api")


@pytest.mark.parametrize("code", [-9999, -2021, -2009])
def test_system_errors_are_retried(code: int) -> None:
    client, _ = make_client(failing(code))
    with pytest.raises(RetryLater) as info:
        client.send(request("01000000000"))
    assert not isinstance(info.value, TransportError)


@pytest.mark.parametrize("code", [-2016, -2015, -2023, -2312, -6003, 4])
def test_refusals_of_the_request_give_up_with_the_code(code: int) -> None:
    client, _ = make_client(failing(code, "no"))
    with pytest.raises(Rejected) as info:
        client.send(request("01000000000"))
    assert (info.value.code, info.value.family, info.value.message) == (str(code), "api", "no")
    assert (info.value.provider, info.value.status) == ("nhn", 200)


def test_a_failure_without_a_code_has_none_and_a_long_message_is_cut() -> None:
    bare = (200, {"header": {"isSuccessful": False}})
    client, _ = make_client(bare, failing(-2016, "m" * 400))
    with pytest.raises(Rejected) as info:
        client.send(request("01000000000"))
    assert (info.value.code, info.value.status) == (None, 200)
    with pytest.raises(Rejected) as info:
        client.send(request("01000000000"))
    assert info.value.message == "m" * 300


@pytest.mark.parametrize(
    ("status", "kind"),
    [(401, AuthFailed), (403, AuthFailed), (429, SlowDown), (500, RetryLater),
     (503, RetryLater), (400, Rejected)],
)  # fmt: skip
def test_http_statuses_map_by_what_to_do(status: int, kind: type) -> None:
    client, _ = make_client((status, {"header": {"isSuccessful": False, "resultCode": -9999}}))
    with pytest.raises(kind) as info:
        client.send(request("01000000000"))
    assert info.value.status == status


@pytest.mark.parametrize(
    ("answer", "kind", "code", "message"),
    [
        # The header's code and message travel with the HTTP class; an auth code wins.
        ((400, {"header": {"resultCode": -2016, "resultMessage": "bad sendNo"}}), Rejected,
         "-2016", "bad sendNo"),
        ((400, {"header": {"resultCode": -1000, "resultMessage": "bad appKey"}}), AuthFailed,
         "-1000", "bad appKey"),
        ((500, {"header": {"resultMessage": ""}}), RetryLater, None, "HTTP 500"),
        ((502, b"<html>Bad Gateway</html>"), RetryLater, None, "<html>Bad Gateway</html>"),
        ((503, {"error": "down"}), RetryLater, None, '{"error": "down"}'),
        ((503, ["down"]), RetryLater, None, '["down"]'),
        ((400, {"header": "bad"}), Rejected, None, '{"header": "bad"}'),
    ],
)  # fmt: skip
def test_an_http_error_carries_the_headers_code_and_message(answer, kind, code, message) -> None:
    client, _ = make_client(answer)
    with pytest.raises(kind) as info:
        client.send(request("01000000000"))
    error = info.value
    assert (error.status, error.code, error.message) == (answer[0], code, message)
    assert (error.provider, error.family) == ("nhn", "api" if code else None)


def test_a_read_timeout_may_have_been_sent() -> None:
    client, _ = make_client(requests.ReadTimeout("slow"))
    with pytest.raises(TransportError) as info:
        client.send(request("01000000000"))
    assert info.value.maybe_sent is True
    assert (info.value.provider, info.value.message) == ("nhn", "NHN Cloud did not answer in time")


def test_a_refused_connection_was_not_sent() -> None:
    client, _ = make_client(requests.ConnectionError("refused"))
    with pytest.raises(TransportError) as info:
        client.send(request("01000000000"))
    assert info.value.maybe_sent is False


@pytest.mark.parametrize(
    "body",
    [
        {"body": {"data": {"requestId": "R"}}},
        {"header": OK, "body": {"data": {}}},
        b"<html>",
        {"header": "SUCCESS", "body": {"data": {"requestId": "R"}}},
    ],
    ids=["no header", "no request id", "not json", "header not an object"],
)
def test_an_unreadable_success_may_have_been_sent(body: Any) -> None:
    client, _ = make_client((200, body))
    with pytest.raises(TransportError) as info:
        client.send(request("01000000000"))
    assert info.value.maybe_sent is True
    assert info.value.provider == "nhn"


def test_a_success_without_a_header_names_its_status() -> None:
    client, _ = make_client((200, {"body": {"data": {"requestId": "R"}}}))
    with pytest.raises(TransportError) as info:
        client.send(request("01000000000"))
    assert info.value.message == "NHN Cloud answered HTTP 200 without a header"


@pytest.mark.parametrize("status", [300, 301])
def test_a_3xx_answer_is_not_an_acceptance(status: int) -> None:
    # Only a 2xx answer is read for a requestId (API v3.0 guide: 200 with header and body).
    client, _ = make_client((status, accepted(ok_result("01000000000", 1))[1]))
    with pytest.raises(Rejected) as info:
        client.send(request("01000000000"))
    assert (info.value.provider, info.value.status) == ("nhn", status)


def test_an_answer_without_a_request_id_says_so() -> None:
    client, _ = make_client((200, {"header": OK, "body": {"data": {"statusCode": "2"}}}))
    with pytest.raises(TransportError) as info:
        client.send(request("01000000000"))
    assert info.value.message == "NHN Cloud answered without a requestId"


def test_the_secret_key_is_never_logged_nor_in_errors(caplog: pytest.LogCaptureFixture) -> None:
    client, _ = make_client(failing(-1000, "Invalid appKey."), accepted(ok_result("010", 1)))
    with caplog.at_level(logging.DEBUG), pytest.raises(AuthFailed) as info:
        client.send(request("01000000000"))
    client.send(request("01000000000"))
    assert SECRET_KEY not in caplog.text and SECRET_KEY not in str(info.value)
    assert APP_KEY not in caplog.text and APP_KEY not in str(info.value)


# --- results -------------------------------------------------------------------------------------


def listed(items: list[dict[str, Any]], total: int, page: int = 1) -> tuple:
    return 200, {"header": OK, "body": {"pageNum": page, "pageSize": 1000, "totalCount": total,
                                         "data": items}}  # fmt: skip


def item(seq: int, status: str, code: str | None, number: str = "01000000000", **extra: Any):
    return {"requestId": "R1", "requestDate": "2018-08-10 10:06:30.0",
            "resultDate": "2018-08-10 10:06:42.0", "recipientNo": number, "msgStatus": status,
            "resultCode": code, "telecomCodeName": "SKT", "recipientSeq": seq, **extra}  # fmt: skip


def test_results_by_request_id_are_paged_until_total_count() -> None:
    first = [item(i, "3", "1000", f"010{i:08d}") for i in range(1, 1001)]
    client, fake = make_client(listed(first, 1001), listed([item(1001, "1", None)], 1001, 2))
    pages = list(client.result_pages(SentRequest("R1", "SMS")))
    assert [len(p.results) for p in pages] == [1000, 1]
    assert [(p.page_index, p.has_more) for p in pages] == [(0, True), (1, False)]
    assert [query(c)["pageNum"] for c in fake.calls] == ["1", "2"]
    assert {query(c)["pageSize"] for c in fake.calls} == {"1000"}
    assert fake.calls[0].request.url.startswith(f"{BASE_URL}{PATH}/sender/sms?")
    assert query(fake.calls[0])["requestId"] == "R1"


def test_a_listed_message_is_read_field_by_field() -> None:
    listed_item = item(4, "3", "1000", msgStatusName="COMPLETED", resultCodeName="Success",
                       countryCode="44", recipientNo="07911123456")  # fmt: skip
    result = payloads.message_result(listed_item)
    assert (result.request_id, result.message_id, result.to, result.status) == (
        "R1", "4", "+447911123456", "COMPLETED")  # fmt: skip
    assert (result.status_message, result.telco) == ("Success", "SKT")
    assert result.request_time == datetime(2018, 8, 10, 1, 6, 30, tzinfo=UTC)
    plain = payloads.message_result({**item(5, "3", "1000"), "resultMessage": "ok"})
    assert (plain.status, plain.status_message) == ("3", "ok")
    bare = payloads.message_result({})
    assert (bare.request_id, bare.message_id, bare.status, bare.to) == ("", "", "", "")


def test_long_messages_are_listed_under_mms() -> None:
    client, fake = make_client(listed([], 0))
    list(client.result_pages(SentRequest("R1", "LMS")))
    assert urlsplit(fake.calls[0].request.url).path == f"{PATH}/sender/mms"


@pytest.mark.parametrize(
    ("listed_item", "code", "family", "outcome"),
    [
        (item(1, "3", "1000"), "1000", "reception", Outcome.DELIVERED),
        (item(1, "0", "3001"), "3001", "reception", Outcome.FAILED),
        (item(1, "0", "2003"), "2003", "reception", Outcome.RETRYABLE),
        (item(1, "1", None), None, "reception", None),
        (item(1, "2", None), None, "reception", None),
        (item(1, "7", None), None, "reception", None),
        (item(1, "4", None), "4", "msg_status", Outcome.FAILED),
        (item(1, "5", None), "5", "msg_status", Outcome.FAILED),
        (item(1, "0", None), "0", "msg_status", Outcome.FAILED),
        (item(1, "3", "1000", dlr={"dlrStatus": "DELIVERED", "errorCode": "0"}), "0",
         "dlr_error", Outcome.DELIVERED),
        (item(1, "3", "1000", dlr={"dlrStatus": "FAILED", "errorCode": "4"}), "4",
         "dlr_error", Outcome.FAILED),
        (item(1, "3", "1000", dlr={"dlrStatus": "ACCEPTED", "errorCode": "0"}), None,
         "dlr_error", None),
        (item(1, "3", "1000", dlr={"dlrStatus": "buffered", "errorCode": "0"}), None,
         "dlr_error", None),
        (item(1, "3", "1000", dlr={"dlrStatus": "FAILED"}), None, "dlr_error", None),
        (item(1, "3", "1000", dlr={"dlrStatus": ""}), "1000", "reception", Outcome.DELIVERED),
        (item(1, "3", "1000", dlr="none"), "1000", "reception", Outcome.DELIVERED),
        (item(1, "6", "3001"), "3001", "reception", Outcome.FAILED),
        (item(1, "", "3001"), "3001", "reception", Outcome.FAILED),
        (item(1, "4", "3001"), "4", "msg_status", Outcome.FAILED),
        (item(1, "3", ""), "3", "msg_status", None),
        ({k: v for k, v in item(1, "", "3001").items() if k != "msgStatus"}, "3001",
         "reception", Outcome.FAILED),
        (item(1, "", None), None, "reception", None),
    ],
    ids=["delivered", "no subscriber", "power off", "requesting", "processing",
         "ad wait", "cancelled", "duplicate", "failed bare", "dlr delivered",
         "dlr barred", "dlr open", "dlr buffered lower case", "dlr without code",
         "dlr without status", "dlr not an object", "status 6", "no status",
         "cancelled with a code", "sent without a code", "status missing",
         "neither status nor code"],
)  # fmt: skip
def test_each_message_status_becomes_a_code_of_its_family(
    listed_item: dict, code: str | None, family: str, outcome: Outcome | None
) -> None:
    client, _ = make_client(listed([listed_item], 1))
    (result,) = client.results_for_request(SentRequest("R1"))
    assert (result.code, result.family) == (code, family)
    assert result.completed is (code is not None)
    if outcome is not None:
        assert lookup("nhn", code, family).outcome is outcome
    assert result.to == "01000000000" and result.message_id == "1"
    assert result.complete_time == datetime(2018, 8, 10, 1, 6, 42, tzinfo=UTC)


UPDATE = {"messageType": "SMS", "requestId": "R1", "recipientSeq": 1, "resultCode": "1000",
          "resultDate": "2023-09-14 10:15:08.0", "updateDate": "2023-09-14 10:15:12.0",
          "recipientGroupingKey": "01000000000"}  # fmt: skip


@pytest.mark.parametrize(
    "data", [[UPDATE], {"resultUpdateList": [UPDATE]}], ids=["example", "table"]
)
def test_message_results_in_either_documented_shape(data: Any) -> None:
    answer = (200, {"header": OK, "body": {"pageNum": 1, "pageSize": 1000, "totalCount": 1,
                                             "data": data}})  # fmt: skip
    client, fake = make_client(answer)
    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    (page,) = client.completed_pages(now - timedelta(hours=2), now, now)
    (result,) = page.results
    assert (result.to, result.code, result.family) == ("01000000000", "1000", "reception")
    params = query(fake.calls[0])
    assert urlsplit(fake.calls[0].request.url).path == f"{PATH}/message-results"
    assert params["startUpdateDate"] == "2026-12-01 10:00:00"
    assert params["endUpdateDate"] == "2026-12-01 11:59:59"


def test_a_message_result_update_reads_every_field() -> None:
    full = {**UPDATE, "resultCodeName": "Success", "telecomCodeName": "SKT",
            "requestDate": "2023-09-14 10:15:00.0"}  # fmt: skip
    result = payloads.update_result(full)
    assert (result.request_id, result.message_id, result.to, result.status) == (
        "R1", "1", "01000000000", "UPDATED")  # fmt: skip
    assert (result.code, result.status_message, result.telco, result.family) == (
        "1000", "Success", "SKT", "reception")  # fmt: skip
    assert result.complete_time == datetime(2023, 9, 14, 1, 15, 8, tzinfo=UTC)
    assert result.request_time == datetime(2023, 9, 14, 1, 15, tzinfo=UTC)
    for missing in (None, ""):
        bare = payloads.update_result({"resultCode": missing})
        assert (bare.code, bare.request_id, bare.message_id) == (None, "", "")
        assert bare.complete_time is None and not bare.completed


def test_a_sweep_over_two_and_a_half_days_asks_three_one_day_windows() -> None:
    client, fake = make_client(*(listed([], 0) for _ in range(3)))
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    list(client.completed_pages(now - timedelta(days=2, hours=12), now, now))
    windows = [(query(c)["startUpdateDate"], query(c)["endUpdateDate"]) for c in fake.calls]
    assert windows == [
        ("2026-11-29 09:00:00", "2026-11-30 08:59:59"),
        ("2026-11-30 09:00:00", "2026-12-01 08:59:59"),
        ("2026-12-01 09:00:00", "2026-12-01 20:59:59"),
    ]
    assert client.sweep_cost(now - timedelta(days=2, hours=12), now, 2500) == 3 + 2


def test_a_sweep_with_no_window_left_is_no_sweep() -> None:
    client, fake = make_client()
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert client.sweep_cost(now, now, 0) is None
    assert fake.calls == []


def test_a_page_without_a_list_of_items_is_empty() -> None:
    client, _ = make_client((200, {"header": OK, "body": {"data": None}}))
    assert list(client.results_for_request(SentRequest("R1"))) == []


# --- reservations and opt-outs --------------------------------------------------------------------


def reserved(*statuses: str) -> tuple:
    items = [{"requestId": "R1", "recipientSeq": i + 1, "messageStatus": s}
             for i, s in enumerate(statuses)]  # fmt: skip
    return listed(items, len(items))


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [(("RESERVED", "RESERVED"), "READY"), (("SENDING", "COMPLETED"), "PROCESSING"),
     (("COMPLETED", "FAILED"), "DONE"), (("CANCEL", "CANCEL"), "CANCELED"),
     # A cancelled message beside sent ones leaves the request done; lower case is read too.
     (("CANCEL", "COMPLETED"), "DONE"), (("reserved", "CANCEL"), "READY"),
     (("RESEND_AD", "CANCEL"), "PROCESSING"), (("", "COMPLETED"), "PROCESSING")],
)  # fmt: skip
def test_reservation_status_from_its_messages(statuses: tuple, expected: str) -> None:
    client, fake = make_client(reserved(*statuses))
    assert client.reservation_status("R1") == expected
    assert urlsplit(fake.calls[0].request.url).path == f"{PATH}/reservations"
    assert query(fake.calls[0])["requestId"] == "R1"


def test_cancel_names_every_message_still_reserved() -> None:
    cancelled = (200, {"header": OK, "body": {"data": {"requestedCount": 2, "canceledCount": 2}}})
    client, fake = make_client(reserved("RESERVED", "CANCEL", "RESERVED"), cancelled)
    client.cancel_reservation("R1")
    put = fake.calls[1]
    assert put.request.method == "PUT"
    assert urlsplit(put.request.url).path == f"{PATH}/reservations/cancel"
    assert put.body["reservationList"] == [
        {"requestId": "R1", "recipientSeq": 1},
        {"requestId": "R1", "recipientSeq": 3},
    ]
    assert put.body["updateUser"]


def test_cancel_of_a_sent_reservation_is_refused_without_a_put() -> None:
    client, fake = make_client(reserved("COMPLETED"))
    with pytest.raises(Rejected) as info:
        client.cancel_reservation("R1")
    assert len(fake.calls) == 1
    assert (info.value.message, info.value.provider) == (
        "reservation R1 has nothing left to cancel", "nhn")  # fmt: skip


def test_a_reservation_nhn_does_not_know_is_refused_as_not_found() -> None:
    client, _ = make_client(listed([], 0))
    with pytest.raises(Rejected) as info:
        client.reservation_status("R9")
    error = info.value
    assert (error.message, error.provider, error.status) == ("no reservation R9", "nhn", 404)
    assert reservations.cancellable({"messageStatus": "reserved"})
    assert not reservations.cancellable({})


def test_opted_out_numbers_page_through_the_080_list() -> None:
    rows = [{"unsubscribeNo": "0808888888", "recipientNo": f"010{i:08d}"} for i in range(1000)]
    client, fake = make_client(listed(rows, 1001), listed([{"recipientNo": "01099999999"}], 1001))
    numbers = list(client.opted_out_numbers())
    assert len(numbers) == 1001 and numbers[-1] == "01099999999"
    assert urlsplit(fake.calls[0].request.url).path == f"{PATH}/blockservice/recipients"


def test_an_image_is_uploaded_in_base64_and_its_file_id_kept() -> None:
    answer = {"header": OK, "body": {"data": {"fileId": 100002, "fileName": "a.jpg"}}}
    client, fake = make_client((200, answer))
    uploaded = client.upload_image("spring-sale.jpg", b"\xff\xd8jpeg")
    assert (uploaded.file_id, uploaded.expires_at) == ("100002", None)
    assert fake.calls[0].request.method == "POST"
    (call,) = fake.calls
    assert call.request.url == f"{BASE_URL}{PATH}/attachfile/binaryUpload"
    assert call.body == {"fileName": "spring-sale.jpg", "createUser": "bulksms",
                         "fileBody": "/9hqcGVn"}  # fmt: skip


def test_a_send_naming_a_file_nhn_no_longer_holds_is_file_gone() -> None:
    from worker.providers.errors import FileGone

    gone = {"isSuccessful": False, "resultCode": -2004, "resultMessage": "File is expired"}
    client, _ = make_client((200, {"header": gone}))
    with pytest.raises(FileGone) as info:
        client.send(request("01000000000", kind=MessageType.MMS, subject="s", file_ids=["7"]))
    error = info.value
    assert (error.code, error.message, error.provider, error.status) == (
        "-2004", "File is expired", "nhn", 200)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "sent"),
    [("a" * 41 + ".jpg", "a" * 41 + ".jpg"),  # 45 characters: kept
     ("a" * 42 + ".jpg", "a" * 41 + ".jpg"),  # 46: cut to 45, the extension kept
     ("photo", "photo"),  # short, without an extension: kept as it is
     ("spring.sale." + "b" * 35 + ".jpeg", "spring.sale." + "b" * 28 + ".jpeg")],
)  # fmt: skip
def test_a_file_name_is_cut_to_forty_five_characters_keeping_its_extension(name, sent) -> None:
    assert payloads.upload_body(name, b"x")["fileName"] == sent
    assert len(sent) == min(len(name), 45)


def test_a_lost_send_is_found_by_sender_number_and_grouping_key_oldest_first() -> None:
    since = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    probe = SentProbe("15446859", "01012345678", "hi", "SMS", since,
                      since + timedelta(minutes=2), 17, 2)  # fmt: skip
    rows = [
        {"requestId": "R-late", "requestDate": "2026-03-02 18:01:00.0", "body": "hi"},
        {"requestId": "R-early", "requestDate": "2026-03-02 18:00:10.0", "body": "hi"},
        {"requestId": "R-other", "requestDate": "2026-03-02 18:00:00.0", "body": "bye"},
        {"requestDate": "2026-03-02 18:00:00.0", "body": "hi"},  # no request id
        {"requestId": "R-late", "requestDate": "2026-03-02 18:01:00.0", "body": "hi"},  # twice
        {"requestId": "R-bodiless", "requestDate": "2026-03-02 18:00:30.0"},  # no body listed
    ]
    client, fake = make_client(listed(rows, len(rows)))
    assert client.find_sent(probe) == ["R-early", "R-bodiless", "R-late"]
    asked = query(fake.calls[0])
    assert urlsplit(fake.calls[0].request.url).path == f"{PATH}/sender/sms"
    assert (asked["sendNo"], asked["recipientNo"], asked["senderGroupingKey"]) == (
        "15446859", "01012345678", "batch-17-2")  # fmt: skip
    assert (asked["startRequestDate"], asked["endRequestDate"]) == (
        "2026-03-02 18:00:00", "2026-03-02 18:02:00")  # fmt: skip


def test_without_a_template_the_messages_must_share_one_body() -> None:
    same = request("01000000000", "01000000001", template="")
    varied = [OutgoingMessage(to=n, content=text) for n, text in (("0101", "a"), ("0102", "b"))]
    one = payloads.send_body(replace(same, messages=[*same.messages[:1]]))
    assert one["body"] == "0000님 안녕하세요"
    with pytest.raises(ValueError, match=r"^NHN takes one body per request: give the template"):
        payloads.send_body(replace(same, messages=varied))


def test_a_header_without_a_message_names_the_status_and_a_hook_without_one_its_state() -> None:
    client, _ = make_client((400, {"header": {"isSuccessful": False, "resultCode": -2016}}))
    with pytest.raises(Rejected) as info:
        client.send(request("01000000000"))
    assert (info.value.message, info.value.code) == ("HTTP 400", "-2016")
    [result] = hooks.results({"event": hooks.RESULT_EVENT, "hooks": [{"requestId": "R"}]})
    assert (result.status, result.code) == ("", None)


def test_the_client_checks_a_webhook_envelope() -> None:
    client, _ = make_client()
    assert client.webhook_problem({"event": hooks.RESULT_EVENT, "hooks": []}) is None
    assert client.webhook_problem({"hooks": []}) == "'event' is missing or not a string"
