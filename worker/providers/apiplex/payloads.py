"""API PLEX GMS v2 wire format: the send request, its answer and the webhook record (WIRE.md).

PROVIDERS.md confirms the URL, that recipients are E.164 and that an `Authorization` header
is required, and the webhook record's fields. The header's exact value, the request body and
the send answer are NOT confirmed by the public docs: every guess about them is in this file,
marked "Unconfirmed", so a correction is one edit here.
"""

import logging
import re
from datetime import UTC, datetime
from typing import Any

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from worker.domain.codes import Outcome, ResultCode, matches
from worker.domain.messages import MessageType
from worker.domain.phones import KOREA_CODE, mask
from worker.domain.seoul import SEOUL
from worker.providers.apiplex.answers import PROVIDER
from worker.providers.base import MessageResult, OutgoingMessage, SendReceipt, SendRequest
from worker.providers.errors import Rejected

log = logging.getLogger(__name__)

# PROVIDERS.md: POST {base}/{gms-kg|gms-gk}/v2/send.
SEND_PATH = "/{route}/v2/send"
# Seed 000 families: `result` is the per-message code (status.id), `status_group` its group;
# seed 001's `service_error` is the error object's id.
RESULT, STATUS_GROUP, SERVICE_ERROR = "result", "status_group", "service_error"
# Seed 000, "Message Status Group Code".
PENDING, UNDELIVERABLE, DELIVERED, EXPIRED, REJECTED = "1", "2", "3", "4", "5"
GROUP_NAMES = {PENDING: "PENDING", UNDELIVERABLE: "UNDELIVERABLE", DELIVERED: "DELIVERED",
               EXPIRED: "EXPIRED", REJECTED: "REJECTED"}  # fmt: skip
# A destination the send answer already puts in one of these groups was refused at once.
REFUSED_GROUPS = frozenset({UNDELIVERABLE, REJECTED})
# echo_to_webhook: "<batch_id>:<attempt>", echoed unchanged on every webhook record.
ECHO = re.compile(r"(\d+):(\d+)")


def send_path(route: str) -> str:
    """The send endpoint of a route: gms-kg (Korea→abroad) or gms-gk (abroad→Korea)."""
    return SEND_PATH.format(route=route)


def headers(api_key: str) -> dict[str, str]:
    """Unconfirmed: the bare API key as the `Authorization` value (no scheme such as Bearer)."""
    return {"Authorization": api_key, "Content-Type": "application/json"}


# --- the send request --------------------------------------------------------------------------


def check(request: SendRequest) -> None:
    """Rejected (before any HTTP call) for what GMS v2 cannot carry: images, a send time."""
    if request.file_ids or request.message_type is MessageType.MMS:
        raise Rejected("API PLEX GMS v2 sends text only (no MMS images)", provider=PROVIDER)
    if request.reserve_time is not None:
        raise Rejected("API PLEX GMS v2 has no reserved sends", provider=PROVIDER)


def e164(number: str, country_code: str) -> str:
    """`+<E.164>` of a recipient: given with `+` already, or national digits of country_code
    (PROVIDERS.md: recipients in international form). Rejected when it cannot be one."""
    text = number.strip()
    try:
        # int() reads a leading "+" itself; a number given with "+" ignores the region.
        region = phonenumbers.region_code_for_country_code(int(country_code))
        parsed = phonenumbers.parse(text, region)
    except (NumberParseException, ValueError):
        parsed = None
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        raise Rejected(
            f"{mask(text)} (country code {country_code}) cannot be written in E.164",
            provider=PROVIDER,
        )
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)


def send_body(request: SendRequest) -> dict[str, Any]:
    """The JSON body of one send: sender, text, E.164 destinations, our echo key.

    Unconfirmed: the whole shape. One `text` serves every destination when the batch's texts
    are equal. When they differ (a personalised template) each destination carries its own
    `text` and no top-level `text` is sent: should API PLEX not read a per-destination text,
    it refuses the body for lacking one rather than sending one recipient's text to all.
    """
    numbers = [e164(message.to, request.country_code) for message in request.messages]
    texts = {message.content for message in request.messages}
    body: dict[str, Any] = {"from": request.sender}
    if len(texts) == 1:
        body["text"] = request.messages[0].content
        body["destinations"] = [{"to": number} for number in numbers]
    else:
        body["destinations"] = [
            {"to": number, "text": message.content}
            for number, message in zip(numbers, request.messages, strict=True)
        ]
    if request.batch_id is not None:
        body["echo_to_webhook"] = echo_key(request.batch_id, request.attempt)
    return body


def probe_body() -> dict[str, Any]:
    """A send to no destination: it cannot reach anyone, so it is harmless whether API PLEX
    refuses it (400, expected) or takes it; either answer proves the key and the service."""
    return {"from": "", "text": "", "destinations": []}


def echo_key(batch_id: int, attempt: int) -> str:
    """echo_to_webhook of one send attempt of a batch; every webhook record brings it back."""
    return f"{batch_id}:{attempt}"


def parse_echo(text: object) -> tuple[int, int] | None:
    """(batch_id, attempt) from an echo_to_webhook value; None when it is not one of ours."""
    found = ECHO.fullmatch(text.strip()) if isinstance(text, str) else None
    return (int(found.group(1)), int(found.group(2))) if found else None


# --- the send answer ---------------------------------------------------------------------------


def receipt(body: dict[str, Any], request: SendRequest) -> SendReceipt:
    """Unconfirmed: {"code": "0", "requestId", "messages": [{messageId, to, status}]}. The
    request id, and each destination the answer already puts in group 2 or 5 as refused."""
    request_id = str(body["requestId"])
    ours = {e164(message.to, request.country_code): message for message in request.messages}
    refused = []
    for item in body.get("messages") or []:
        status = item.get("status") if isinstance(item, dict) else None
        if isinstance(status, dict) and _text(status.get("groupId")) in REFUSED_GROUPS:
            refused.append(_refusal(request_id, item, status, ours))
    return SendReceipt(request_id, None, tuple(refused))


def _refusal(
    request_id: str,
    item: dict[str, Any],
    status: dict[str, Any],
    ours: dict[str, OutgoingMessage],
) -> MessageResult:
    code, family = result_code(status)
    sent = ours.get(_plus(_text(item.get("to"))))
    return MessageResult(
        request_id=request_id,
        message_id=_text(item.get("messageId")),
        to=sent.to if sent else stored_form(_text(item.get("to"))),
        status=_group_name(status),
        code=code,
        status_message=_text(status.get("description") or status.get("name")) or None,
        telco=None,
        complete_time=None,
        family=family,
    )


# --- codes -------------------------------------------------------------------------------------


def result_code(status: Any) -> tuple[str | None, str]:
    """(code, family) of a status object; code None while the message is still pending.

    status.id in `result` where the catalogue has it; else its group in `status_group` (an
    id nobody reviewed still ends as its group says); else None, left for the deadline.
    """
    if not isinstance(status, dict):
        return None, RESULT
    group, code = _text(status.get("groupId")), _text(status.get("id"))
    if group == PENDING:
        return None, RESULT
    for found, family in ((code, RESULT), (group, STATUS_GROUP)):
        row = _row(found, family)
        if row is not None:
            if family == STATUS_GROUP and code:
                log.warning("unknown apiplex result id=%s read as status group %s", code, group)
            return (None if row.outcome is Outcome.PENDING else found), family
    log.warning("apiplex status without a known id or group: id=%s group=%s", code, group)
    return None, RESULT


def judged_code(status: Any, error: Any) -> tuple[str | None, str]:
    """(code, family) that classifies a record: the service error (seed 001) where a final,
    undelivered status names a known one, as it is the more specific (a status 9
    UNDELIVERABLE_NOT_DELIVERED may be a busy handset, error 31, worth a re-send, or an
    unknown subscriber, error 1, to suppress); else the status (result_code).

    The record's `permanent: true` (PROVIDERS.md) is the provider saying a re-send cannot
    help: a code the catalogue would re-send gives way to the status group's own verdict.
    """
    code, family = result_code(status)
    if code is None or _text(status.get("groupId")) == DELIVERED or not isinstance(error, dict):
        return code, family
    found = _text(error.get("id"))
    row = _row(found, SERVICE_ERROR) if found not in ("", "0") else None
    if row is None:
        return code, family
    if error.get("permanent") is True and row.outcome is Outcome.RETRYABLE:
        return _final_for_good(code, family)
    return found, SERVICE_ERROR


def _final_for_good(code: str, family: str) -> tuple[str, str]:
    """A permanent failure never re-sent: the status code if the catalogue fails it, else
    UNDELIVERABLE (group 2, failed)."""
    row = _row(code, family)
    if row is not None and row.outcome is not Outcome.RETRYABLE:
        return code, family
    return UNDELIVERABLE, STATUS_GROUP


def _row(code: str, family: str) -> ResultCode | None:
    return next((row for row in matches(PROVIDER, code) if row.family == family), None)


# --- the webhook -------------------------------------------------------------------------------


def webhook_problem(body: Any) -> str | None:
    """Why a webhook body is not PROVIDERS.md's {"results": [ … ]}; None when it is."""
    records = body.get("results") if isinstance(body, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        return "'results' must be a list of objects"
    for index, record in enumerate(records):
        if not record.get("to") or not isinstance(record.get("status"), dict):
            return f"results[{index}] lacks 'to' or a 'status' object"
    return None


def parse_webhook_body(body: dict[str, Any]) -> list[MessageResult]:
    """Every record of one webhook call (PROVIDERS.md: one record per call, in a list)."""
    return [parse_webhook_record(record) for record in body.get("results") or []]


def parse_webhook_record(record: dict[str, Any]) -> MessageResult:
    """One webhook record (PROVIDERS.md) as a result.

    code: the service error or status.id (see judged_code), None while the group is 1 PENDING.
    request_id: the echo_to_webhook text as received ("<batch_id>:<attempt>"; parse_echo
    reads it): the record names no requestId, so the batch is found by our echo key.
    to: our recipients' form (0-prefixed national for Korea, E.164 otherwise). The service
    error, if any, is told in status_message only.
    """
    status = record.get("status") if isinstance(record.get("status"), dict) else {}
    code, family = judged_code(status, record.get("error"))
    echo = parse_echo(record.get("echo_to_webhook"))
    return MessageResult(
        request_id=_text(record.get("echo_to_webhook")),
        batch_id=echo[0] if echo else None,
        message_id=_text(record.get("messageId")),
        to=stored_form(_text(record.get("to"))),
        status=_group_name(status),
        code=code,
        status_message=_status_message(status, record.get("error")),
        telco=_telco(record),
        complete_time=parse_time(record.get("doneAt")),
        request_time=parse_time(record.get("sentAt")),
        family=family,
    )


def _status_message(status: dict[str, Any], error: Any) -> str | None:
    parts = [_text(status.get("name") or status.get("description"))]
    if isinstance(error, dict) and _text(error.get("id")) not in ("", "0"):
        lasting = "permanent" if error.get("permanent") is True else "not permanent"
        parts.append(f"service error {_text(error.get('id'))} {_text(error.get('name'))} "
                     f"({lasting})")  # fmt: skip
    text = "; ".join(part.strip() for part in parts if part.strip())
    return text[:300] or None


def _telco(record: dict[str, Any]) -> str | None:
    """MCC-MNC of the network that took the message (e.g. 450-05)."""
    mcc, mnc = _text(record.get("mcc")), _text(record.get("mnc"))
    return f"{mcc}-{mnc}" if mcc and mnc else (mcc or None)


def parse_time(value: object) -> datetime | None:
    """Unconfirmed format: ISO 8601 (an offset or Z kept; none read as Seoul time) or epoch
    seconds/milliseconds. None when absent or unreadable: one bad time never loses a result."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, ValueError, OSError):  # past year 9999, NaN, infinity
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=SEOUL)


# --- numbers -----------------------------------------------------------------------------------


def stored_form(number: str) -> str:
    """A provider's E.164 number (with or without `+`) in the form our recipients are stored
    in (worker/domain/phones.normalise): `0`+national for Korea, E.164 otherwise."""
    try:
        parsed = phonenumbers.parse(_plus(number), None)
    except NumberParseException:
        return number
    if parsed.country_code == KOREA_CODE:
        return "0" + str(parsed.national_number)
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)


def _plus(number: str) -> str:
    text = number.strip()
    return "+" + text if text.isdigit() else text


def _group_name(status: dict[str, Any]) -> str:
    group = _text(status.get("groupId"))
    return _text(status.get("groupName")) or GROUP_NAMES.get(group, group)


def _text(value: object) -> str:
    return "" if value is None else str(value)
