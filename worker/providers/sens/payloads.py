"""SENS request bodies and response parsing (field names from seeds 003 and 004)."""

import base64
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from worker.domain.codes import matches
from worker.domain.reservations import MIN_LEAD, RESERVE_FORMAT
from worker.domain.seoul import parse_local
from worker.providers.base import MessageResult, SendReceipt, SendRequest

# SENS writes and reads times as Korean local time without an offset
# (seed 003: "yyyy-MM-dd HH:mm:ss"; list queries: worker/domain/windows.format_time); its
# default reserveTimeZone is Asia/Seoul.
SEOUL = ZoneInfo("Asia/Seoul")


def send_body(request: SendRequest) -> dict[str, Any]:
    """The JSON body of POST /messages for one batch."""
    body: dict[str, Any] = {
        "type": request.message_type.value,
        "contentType": request.content_type.value,
        "countryCode": request.country_code,
        "from": request.sender,
        # Seed 003: `content` is required at the top; each message carries its own as well.
        "content": request.messages[0].content,
        "messages": [_message(m) for m in request.messages],
    }
    if request.subject:
        body["subject"] = request.subject
    if request.file_ids:
        body["files"] = [{"fileId": file_id} for file_id in request.file_ids]
    if request.reserve_time is not None:
        body["reserveTime"] = reserve_moment(request).strftime(RESERVE_FORMAT)
        body["reserveTimeZone"] = request.reserve_time_zone
    return body


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"reserve_time_zone {name!r} is not a TZ database name") from None


def reserve_moment(request: SendRequest) -> datetime:
    """The reserve time as SENS will read it: in reserve_time_zone, to the minute (seed 003)."""
    moment = request.reserve_time
    if moment is None or moment.utcoffset() is None:  # None too when tzinfo is None
        raise ValueError("reserve_time must be a timezone-aware datetime")
    return moment.astimezone(_zone(request.reserve_time_zone)).replace(second=0, microsecond=0)


def check_reservation(request: SendRequest, now: float) -> None:
    """ValueError unless a reserved send is at least MIN_LEAD ahead (PROVIDERS.md: 10 min)."""
    if request.reserve_time is None:
        return
    lead = reserve_moment(request) - datetime.fromtimestamp(now, SEOUL)
    if lead < MIN_LEAD:
        minutes = MIN_LEAD // timedelta(minutes=1)
        raise ValueError(
            f"reserve_time must be at least {minutes} minutes ahead (SENS takes the minute);"
            f" it is {lead.total_seconds():.0f} s ahead"
        )


def _message(message: Any) -> dict[str, str]:
    item = {"to": message.to, "content": message.content}
    if message.subject:
        item["subject"] = message.subject
    return item


def parse_time(text: object) -> datetime | None:
    """A SENS time (Seoul local, `T` or space separated, optional millis) as aware."""
    return parse_local(str(text)) if text else None


def receipt(body: dict[str, Any]) -> SendReceipt:
    """The send response: requestId and requestTime."""
    return SendReceipt(
        request_id=str(body["requestId"]), request_time=parse_time(body.get("requestTime"))
    )


# Seeds 003/004 list the reception codes in three tables whose codes never collide: carrier
# reports (0, 2000…, 3000…), relay responses (1001…, S000…) and EMMA codes (E900…).
DEFAULT_FAMILY = "report"


def family_of(code: str) -> str:
    """The seed table a SENS reception code comes from (an unknown code: the carrier's)."""
    found = matches("sens", code)
    return found[0].family if found else DEFAULT_FAMILY


def message_result(item: dict[str, Any]) -> MessageResult:
    """One entry of `messages` in a list or get response."""
    completed = item.get("status") == "COMPLETED"
    code = item.get("statusCode")
    code = str(code) if completed and code is not None else None
    return MessageResult(
        request_id=str(item.get("requestId") or ""),
        message_id=str(item.get("messageId") or ""),
        to=str(item.get("to", "")),
        status=str(item.get("status", "")),
        code=code,
        status_message=item.get("statusMessage"),
        telco=item.get("telcoCode"),
        complete_time=parse_time(item.get("completeTime")),
        request_time=parse_time(item.get("requestTime")),
        family=family_of(code) if code is not None else "",
    )


def upload_body(name: str, data: bytes) -> dict[str, str]:
    """Seed 003, "Upload files": fileName (.jpg/.jpeg, ≤ 40 characters), fileBody in Base64."""
    stem, _, extension = name.rpartition(".")
    short = f"{stem[: 39 - len(extension)]}.{extension}" if len(name) > 40 else name
    return {"fileName": short, "fileBody": base64.b64encode(data).decode("ascii")}
