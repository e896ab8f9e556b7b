"""SENS request bodies and response parsing (field names from seeds 003 and 004)."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from worker.providers.base import MessageResult, SendReceipt, SendRequest

# SENS writes and reads times as Korean local time without an offset
# (seed 003: "yyyy-MM-dd HH:mm:ss"); its default reserveTimeZone is Asia/Seoul.
SEOUL = ZoneInfo("Asia/Seoul")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def send_body(request: SendRequest) -> dict[str, Any]:
    """The JSON body of POST /messages for one batch."""
    body: dict[str, Any] = {
        "type": request.message_type.value,
        "contentType": request.content_type.value,
        "countryCode": request.country_code,
        "from": request.sender,
        "content": request.content,
        "messages": [_message(m) for m in request.messages],
    }
    if request.subject:
        body["subject"] = request.subject
    if request.file_ids:
        body["files"] = [{"fileId": file_id} for file_id in request.file_ids]
    return body


def _message(message: Any) -> dict[str, str]:
    item = {"to": message.to, "content": message.content}
    if message.subject:
        item["subject"] = message.subject
    return item


def parse_time(text: str | None) -> datetime | None:
    """A SENS time (Seoul local, `T` or space separated, optional millis) as aware UTC-able."""
    if not text:
        return None
    cleaned = text.replace("T", " ").split(".")[0]
    return datetime.strptime(cleaned, TIME_FORMAT).replace(tzinfo=SEOUL)


def format_time(moment: datetime) -> str:
    """An aware datetime in the form SENS list queries take."""
    return moment.astimezone(SEOUL).strftime(TIME_FORMAT)


def receipt(body: dict[str, Any]) -> SendReceipt:
    """The send response: requestId and requestTime."""
    return SendReceipt(
        request_id=str(body["requestId"]), request_time=parse_time(body.get("requestTime"))
    )


def message_result(item: dict[str, Any]) -> MessageResult:
    """One entry of `messages` in a list or get response."""
    completed = item.get("status") == "COMPLETED"
    code = item.get("statusCode")
    return MessageResult(
        request_id=str(item.get("requestId") or ""),
        message_id=str(item.get("messageId") or ""),
        to=str(item.get("to", "")),
        status=str(item.get("status", "")),
        code=str(code) if completed and code is not None else None,
        status_message=item.get("statusMessage"),
        telco=item.get("telcoCode"),
        complete_time=parse_time(item.get("completeTime")),
    )
