"""Validation of a send body (api-guide "Send Short SMS", "Send Long MMS", ads) into a SendOrder."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulator.nhn.adrules import check_ad_body
from simulator.nhn.attachments import UploadedFile
from simulator.nhn.recipients import KOREA, Recipient, parse_recipient
from simulator.nhn.results import PARAMETER, NhnError
from simulator.nhn.times import REQUEST_TEXT, parse_request_date
from worker.domain.messages import MessageError, MessageType, euc_kr_length

MAX_RECIPIENTS = 1000
MAX_FILES = 3  # "Number of Attached Images: 3 or less"
RESERVE_AHEAD = 60 * 86400.0  # requestDate "can be set up to 60 days from now"
# The guide's [Caution] table: SMS body 90 bytes, MMS title 40 bytes, MMS body 2,000 bytes
# (EUC-KR) as the standard; it lists larger maximums (255/120/4,000 characters) that may be
# cut off. The simulator refuses anything over the standard with -2015.
BODY_LIMITS = {MessageType.SMS: 90, MessageType.LMS: 2000, MessageType.MMS: 2000}
TITLE_LIMIT = 40


@dataclass(frozen=True, slots=True)
class SendContext:
    """What validation needs from the simulator: the time, the senders and the uploads."""

    now: float
    registered: Callable[[str], bool]
    attachment: Callable[[int], UploadedFile | None]


@dataclass(frozen=True, slots=True)
class SendOrder:
    """A valid send body: one message per recipient (some may still be refused)."""

    kind: MessageType
    ad: bool
    send_no: str
    body: str
    title: str | None
    request_at: float | None  # a reservation (requestDate later than now)
    sender_grouping_key: str | None
    files: tuple[UploadedFile, ...]
    recipients: tuple[Recipient, ...]


def _load(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise NhnError(-9997, "the body is not JSON") from None
    if not isinstance(data, dict):
        raise NhnError(-9997, "the body must be a JSON object")
    return data


def _entries(data: dict[str, Any]) -> list[Any]:
    entries = data.get("recipientList")
    if not isinstance(entries, list) or not entries:
        raise NhnError(-2001, "recipientList must hold 1 to 1000 recipients")
    if len(entries) > MAX_RECIPIENTS:
        raise NhnError(-2016, f"recipientList has {len(entries)} recipients")
    return entries


def _send_no(data: dict[str, Any], registered: Callable[[str], bool]) -> str:
    send_no = data.get("sendNo")
    if not isinstance(send_no, str) or not send_no:
        raise NhnError(-2312, "sendNo is required")
    if not registered(send_no):
        raise NhnError(-2312, f"sendNo {send_no} is not a registered sender number")
    return send_no


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None or value == "":
        raise NhnError(-2014, f"{key} is required")
    if not isinstance(value, str):
        raise NhnError(PARAMETER, f"{key} must be a string")
    return value


def _optional(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise NhnError(PARAMETER, f"{key} must be a string")
    return value


def _request_at(data: dict[str, Any], now: float) -> float | None:
    raw = data.get("requestDate")
    if raw is None or raw == "":
        return None
    try:
        at = parse_request_date(raw if isinstance(raw, str) else "")
    except ValueError:
        raise NhnError(-2000, f"requestDate {raw!r} is not {REQUEST_TEXT}") from None
    # Minute resolution: the current minute is "now" (sent at once), earlier ones are past.
    if at < now - now % 60:
        raise NhnError(-2022, f"requestDate {raw} is before the current time")
    if at > now + RESERVE_AHEAD:
        raise NhnError(PARAMETER, f"requestDate {raw} is more than 60 days from now")
    return at if at > now else None


def _file_ids(data: dict[str, Any]) -> list[int]:
    ids = data.get("attachFileIdList") or []
    if not isinstance(ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        raise NhnError(PARAMETER, "attachFileIdList must be a list of fileIds")
    if len(ids) > MAX_FILES:
        raise NhnError(PARAMETER, f"attachFileIdList has {len(ids)} files; at most {MAX_FILES}")
    return ids


def _files(data: dict[str, Any], find: Callable[[int], UploadedFile | None]) -> tuple:
    found = []
    for file_id in _file_ids(data):
        record = find(file_id)
        if record is None:
            raise NhnError(-2004, f"fileId {file_id}")
        found.append(record)
    return tuple(found)


def _size(text: str, field: str, limit: int) -> None:
    try:
        size = euc_kr_length(text)
    except MessageError as exc:
        raise NhnError(-2023, f"{field}: {exc}") from None
    if size > limit:
        raise NhnError(-2015, f"{field} is {size} bytes in EUC-KR; at most {limit}")


def _check_texts(kind: MessageType, recipients: tuple[Recipient, ...]) -> None:
    """Byte limits and EUC-KR on each distinct rendering (templateParameter may differ)."""
    for body, title in {(r.body, r.title) for r in recipients}:
        _size(body, "body", BODY_LIMITS[kind])
        if title is not None:
            _size(title, "title", TITLE_LIMIT)


def _check_countries(kind: MessageType, recipients: tuple[Recipient, ...]) -> None:
    abroad = next((r for r in recipients if r.country not in (KOREA, "")), None)
    if kind is not MessageType.SMS and abroad is not None:
        raise NhnError(-2024, f"recipient {abroad.number} has countryCode {abroad.country}")


def parse_send(raw: bytes, long: bool, ad: bool, context: SendContext) -> SendOrder:
    """The validated order in `raw` for a short (or `long`) and maybe `ad` send endpoint."""
    data = _load(raw)
    entries = _entries(data)
    send_no = _send_no(data, context.registered)
    title = _text(data, "title") if long else None
    body = _text(data, "body")
    request_at = _request_at(data, context.now)
    if ad:
        check_ad_body(body)
    files = _files(data, context.attachment) if long else ()
    recipients = tuple(parse_recipient(e, i, body, title) for i, e in enumerate(entries))
    kind = MessageType.MMS if files else MessageType.LMS if long else MessageType.SMS
    _check_texts(kind, recipients)
    _check_countries(kind, recipients)
    grouping = _optional(data, "senderGroupingKey")
    return SendOrder(kind, ad, send_no, body, title, request_at, grouping, files, recipients)
