"""NHN Cloud SMS v3.0 request bodies and answers (field names from the API v3.0 guide)."""

import base64
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from worker.domain.messages import ContentType, MessageType
from worker.domain.phones import split
from worker.domain.reservations import RESERVE_FORMAT
from worker.domain.seoul import parse_local
from worker.domain.template import PLACEHOLDER
from worker.providers.base import MessageResult, OutgoingMessage, SendReceipt, SendRequest

SEOUL = ZoneInfo("Asia/Seoul")
# The guide writes times as "2018-08-10 10:06:30.0" (Seoul local time).
# Families of data/nhn.csv a result's code is read in.
RECEPTION, DLR_ERROR, MSG_STATUS, API = "reception", "dlr_error", "msg_status", "api"
# msgStatus: 0 failed, 1 requesting, 2 processing, 3 success, 4 cancelled, 5 duplicate,
# 6 failed (ad restriction), 7 waiting to re-send (ad restriction).
IN_PROGRESS = frozenset({"1", "2", "7"})
# Sent on the short endpoints: SMS, and SMS abroad (the guide takes no LMS/MMS abroad).
SHORT = frozenset({MessageType.SMS, MessageType.INTL})
# DLR states that are not final yet (seed 002, DLR status codes).
DLR_OPEN = frozenset({"ACCEPTED", "BUFFERED"})


def path(request: SendRequest) -> str:
    """The send endpoint: short or long, plain or advertising."""
    long = request.message_type not in SHORT
    ad = request.content_type is ContentType.AD
    return "/sender/" + ("ad-" if ad else "") + ("mms" if long else "sms")


def grouping_key(batch_id: int, attempt: int) -> str:
    """senderGroupingKey of one send attempt of a batch: a request whose answer was lost is
    found by it (the guide's list filter of the same name)."""
    return f"batch-{batch_id}-{attempt}"


def list_path(message_type: str) -> str:
    """Where requests of a type are listed: SMS (and SMS abroad) under /sender/sms, LMS and
    MMS under /mms."""
    return "/sender/sms" if message_type in SHORT else "/sender/mms"


def nhn_template(template: str) -> str:
    """Our `{name}` placeholders as NHN's replacement keys `##name##`.

    Unconfirmed: the guide describes templateParameter ("##key##") next to templateId; that
    it also fills a plain body is how the replacement key reads, not a stated guarantee.
    """
    return PLACEHOLDER.sub(lambda found: f"##{found.group(1)}##", template)


def send_body(request: SendRequest) -> dict[str, Any]:
    """The JSON body of one send: the template once, each recipient with its parameters."""
    used = sorted(PLACEHOLDER.findall(request.template))
    body: dict[str, Any] = {
        "body": nhn_template(request.template) if request.template else _one_body(request),
        "sendNo": request.sender,
        "recipientList": [_recipient(m, used, request.country_code) for m in request.messages],
    }
    if request.batch_id is not None:
        body["senderGroupingKey"] = grouping_key(request.batch_id, request.attempt)
    if request.message_type not in SHORT:
        body["title"] = request.subject or ""
    if request.file_ids:
        body["attachFileIdList"] = [int(file_id) for file_id in request.file_ids]
    if request.reserve_time is not None:
        body["requestDate"] = request.reserve_time.astimezone(SEOUL).strftime(RESERVE_FORMAT)
    return body


def _one_body(request: SendRequest) -> str:
    contents = {message.content for message in request.messages}
    if len(contents) != 1:
        raise ValueError("NHN takes one body per request: give the template to vary it")
    return contents.pop()


def _recipient(message: OutgoingMessage, used: list[str], country: str) -> dict[str, Any]:
    # API v3.0 guide: countryCode per recipient (default 82), recipientNo without it.
    code, number = split(message.to) if message.to.startswith("+") else (country, message.to)
    item: dict[str, Any] = {
        "recipientNo": number,
        "countryCode": code,
        # Echoed by message-results, which lists no recipientNo: how a result finds its number.
        "recipientGroupingKey": message.to,
    }
    if used:
        item["templateParameter"] = {name: message.variables.get(name, "") for name in used}
    return item


def parse_time(text: object) -> datetime | None:
    """An NHN time (Seoul local, `T` or space separated, optional millis) as aware."""
    return parse_local(str(text)) if text else None


def receipt(data: dict[str, Any]) -> SendReceipt:
    """body.data of a send: the request id and the recipients refused inside the request."""
    request_id = str(data["requestId"])
    refused = tuple(
        _refusal(request_id, item)
        for item in data.get("sendResultList") or []
        if str(item.get("resultCode", 0)) != "0"
    )
    return SendReceipt(request_id, parse_time(data.get("requestDate")), refused)


def _refusal(request_id: str, item: dict[str, Any]) -> MessageResult:
    return MessageResult(
        request_id=request_id,
        message_id=str(item.get("recipientSeq") or ""),
        to=stored_number(item),
        status="REFUSED",
        # Per-recipient codes of a send answer are API result codes (-2019, -6001 …).
        code=str(item.get("resultCode")),
        status_message=item.get("resultMessage"),
        telco=None,
        complete_time=None,
        family=API,
    )


def code_of(item: dict[str, Any]) -> tuple[str | None, str]:
    """(code, family) of a listed message; code None while it is still on its way."""
    dlr = item.get("dlr") if isinstance(item.get("dlr"), dict) else None
    if dlr and dlr.get("dlrStatus"):
        # International: the DLR is the handset's answer; NHN's reception result is not.
        if str(dlr["dlrStatus"]).upper() in DLR_OPEN or dlr.get("errorCode") is None:
            return None, DLR_ERROR
        return str(dlr["errorCode"]), DLR_ERROR
    status = str(item.get("msgStatus", ""))
    if status in IN_PROGRESS:
        return None, RECEPTION
    if item.get("resultCode") not in (None, "") and status in ("0", "3", "6", ""):
        return str(item["resultCode"]), RECEPTION
    return (status, MSG_STATUS) if status else (None, RECEPTION)


def message_result(item: dict[str, Any]) -> MessageResult:
    """One message of a list or single-message answer."""
    code, family = code_of(item)
    return MessageResult(
        request_id=str(item.get("requestId") or ""),
        message_id=str(item.get("recipientSeq") or ""),
        to=stored_number(item),
        status=str(item.get("msgStatusName") or item.get("msgStatus") or ""),
        code=code,
        status_message=item.get("resultCodeName") or item.get("resultMessage"),
        telco=item.get("telecomCodeName"),
        complete_time=parse_time(item.get("resultDate")),
        request_time=parse_time(item.get("requestDate")),
        family=family,
    )


def update_result(item: dict[str, Any]) -> MessageResult:
    """One entry of message-results: no recipientNo, so the number is our grouping key."""
    code = item.get("resultCode")
    return MessageResult(
        request_id=str(item.get("requestId") or ""),
        message_id=str(item.get("recipientSeq") or ""),
        to=stored_number(item),
        status="UPDATED",
        code=None if code in (None, "") else str(code),
        status_message=item.get("resultCodeName"),
        telco=item.get("telecomCodeName"),
        complete_time=parse_time(item.get("resultDate")),
        request_time=parse_time(item.get("requestDate")),
        family=RECEPTION,
    )


def listed(body: dict[str, Any], key: str = "resultUpdateList") -> tuple[list[Any], int]:
    """The items of a paged answer and its totalCount.

    message-results answers `body.data` as a list in the guide's example and as
    `body.data.resultUpdateList` in its table: both are read.
    """
    page = body.get("body") or {}
    data = page.get("data")
    if isinstance(data, dict):
        data = data.get(key) or []
    items = data if isinstance(data, list) else []
    return items, int(page.get("totalCount") or len(items))


def stored_number(item: dict[str, Any]) -> str:
    """Our form of the number an answer names: the recipientGroupingKey we sent (our number
    as stored), else recipientNo, with +countryCode where it is not Korea's."""
    key = item.get("recipientGroupingKey")
    if key:
        return str(key)
    number, country = str(item.get("recipientNo") or ""), str(item.get("countryCode") or "82")
    return number if country == "82" or not number else f"+{country}{number.lstrip('0')}"


# Who the upload is recorded as (the guide's createUser: required, any text).
UPLOAD_USER = "bulksms"


def upload_body(name: str, data: bytes) -> dict[str, str]:
    """API guide, "Attached Files": fileName (.jpg/.jpeg, ≤ 45 characters), createUser, and
    fileBody (the guide's "byte arrangement value"; Base64 text, as its examples send)."""
    stem, _, extension = name.rpartition(".")
    short = f"{stem[: 44 - len(extension)]}.{extension}" if len(name) > 45 else name
    body = base64.b64encode(data).decode("ascii")
    return {"fileName": short, "createUser": UPLOAD_USER, "fileBody": body}
