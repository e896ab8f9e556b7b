"""Validation of a send-message body (seed 003 "Send message") into a SendRequest."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from simulator.sens.reserve_time import ReserveTime, parse_reserve
from worker.domain.messages import (
    ContentType,
    MessageError,
    MessageType,
    check_content,
    check_subject,
)

MAX_MESSAGES = 100
# Seed 003 names no count for `files`; the simulator takes one image per MMS.
MAX_FILES = 1
E = TypeVar("E", MessageType, ContentType)


class SendError(ValueError):
    """What is wrong with a send body, and where (the 400 errorMessage)."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One entry of `messages`; None content/subject means the request's default."""

    to: str
    content: str | None
    subject: str | None


@dataclass(frozen=True, slots=True)
class SendRequest:
    """A valid send body."""

    type: MessageType
    content_type: ContentType
    country_code: str
    sender: str
    content: str
    subject: str | None
    files: tuple[str, ...]
    messages: tuple[Outgoing, ...]
    reserve: ReserveTime | None = None


def _load(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SendError(f"body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise SendError("body must be a JSON object")
    return data


def _text(data: dict[str, Any], key: str, where: str = "", required: bool = True) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise SendError(f"{where}{key} is required")
        return None
    if not isinstance(value, str):
        raise SendError(f"{where}{key} must be a string")
    return value


def _enum(kind: type[E], raw: str, key: str) -> E:
    try:
        return kind(raw.upper())
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise SendError(f"{key} {raw!r} is unknown; expected one of {allowed}") from None


# Seed 003: `type` is SMS, LMS or MMS (a number abroad is still an SMS, with its countryCode).
SENS_TYPES = (MessageType.SMS, MessageType.LMS, MessageType.MMS)


def _sens_type(raw: str) -> MessageType:
    if raw.upper() not in {kind.value for kind in SENS_TYPES}:
        allowed = ", ".join(kind.value for kind in SENS_TYPES)
        raise SendError(f"type {raw!r} is unknown; expected one of {allowed}")
    return MessageType(raw.upper())


def _digits(value: str, where: str) -> str:
    if not value.isascii() or not value.isdigit():
        raise SendError(f"{where} {value!r} must contain digits only (no '-' or '+')")
    return value


def _check_text(check: Callable[[str], None], text: str, where: str, field: str) -> None:
    try:
        check(text)
    except MessageError as exc:
        reason = str(exc)
        named = reason if reason.startswith(field) else f"{field}: {reason}"
        raise SendError(f"{where}{named}") from None


def _texts(kind: MessageType, content: str | None, subject: str | None, where: str) -> None:
    if content is not None:
        _check_text(lambda t: check_content(t, kind), content, where, "content")
    if subject is not None and kind is not MessageType.SMS:
        _check_text(check_subject, subject, where, "subject")


def _outgoing(entry: Any, index: int, kind: MessageType) -> Outgoing:
    where = f"messages[{index}]."
    if not isinstance(entry, dict):
        raise SendError(f"messages[{index}] must be an object")
    to = _digits(_text(entry, "to", where) or "", f"{where}to")
    content = _text(entry, "content", where, required=False)
    subject = _text(entry, "subject", where, required=False)
    _texts(kind, content, subject, where)
    return Outgoing(to, content, subject if kind is not MessageType.SMS else None)


def _messages(data: dict[str, Any], kind: MessageType) -> tuple[Outgoing, ...]:
    entries = data.get("messages")
    if entries is None:
        raise SendError("messages is required")
    if not isinstance(entries, list) or not entries:
        raise SendError("messages must be a non-empty list")
    if len(entries) > MAX_MESSAGES:
        raise SendError(f"messages has {len(entries)} entries; at most {MAX_MESSAGES} allowed")
    return tuple(_outgoing(entry, i, kind) for i, entry in enumerate(entries))


def _files(data: dict[str, Any], kind: MessageType) -> tuple[str, ...]:
    files = data.get("files") or []
    if not isinstance(files, list) or not all(isinstance(f, dict) for f in files):
        raise SendError('files must be a list of {"fileId": ...} objects')
    if kind is MessageType.MMS and len(files) > MAX_FILES:
        raise SendError(f"files has {len(files)} entries; at most {MAX_FILES} allowed")
    return tuple(str(f.get("fileId", "")) for f in files)


def _country(data: dict[str, Any]) -> str:
    raw = data.get("countryCode", "82")
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        raise SendError("countryCode must be a string of digits")
    return _digits(raw, "countryCode")


def _reserve(data: dict[str, Any]) -> ReserveTime | None:
    try:
        return parse_reserve(data)
    except ValueError as exc:
        raise SendError(str(exc)) from None


def parse_send(body: bytes) -> SendRequest:
    """The validated send request in `body`; SendError says what is wrong and where."""
    data = _load(body)
    kind = _sens_type(_text(data, "type") or "")
    content_type = _enum(
        ContentType, _text(data, "contentType", required=False) or "COMM", "contentType"
    )
    sender = _digits(_text(data, "from") or "", "from")
    content = _text(data, "content") or ""
    subject = _text(data, "subject", required=False)
    _texts(kind, content, subject, "")
    files = _files(data, kind)
    messages = _messages(data, kind)
    if kind is MessageType.MMS and not files:
        kind = MessageType.LMS  # seed 003: MMS without an attached file is sent as LMS
    subject = subject if kind is not MessageType.SMS else None
    reserve = _reserve(data)
    return SendRequest(
        kind, content_type, _country(data), sender, content, subject, files, messages, reserve
    )
