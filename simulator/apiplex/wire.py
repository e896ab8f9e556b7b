"""The GMS v2 wire contract our client speaks: path, auth header, send body, answers, webhooks."""

# PROVIDERS.md ("API PLEX Global Message (GMS v2)") confirms: POST /{gms-kg|gms-gk}/v2/send,
# E.164 recipients, that an `Authorization` header is required; webhooks POST
# {"results": [record]} one record per call with the record's field names; the receiver
# answers with a body holding `code`; a failed delivery is retried up to 10 times.
#
# UNCONFIRMED (the public docs leave them open; chosen here, and our client uses exactly
# this, so correct it here if API PLEX says otherwise):
# - the Authorization value: the bare API key (also accepted: `Bearer <key>`);
# - the send body: from, text, destinations[].to, echo_to_webhook (≤ 200 characters), and
#   at most 1,000 destinations a request; without a top-level text, each destination's own
#   `text` (a personalised message, as our client sends it: worker/providers/apiplex/WIRE.md);
# - every answer body ({"code", "message"}; {"code": "0", "requestId", "messages"}) and the
#   HTTP status of each refusal (401, 400, 404, 429, 5xx);
# - which seed-001 code a refused request carries (351 bad number, 352 wrong country for the
#   route, 368 bad sender; "400" where seed 001 has none: bad JSON, empty text, no or too
#   many destinations, a bad echo_to_webhook);
# - the record's value formats: sentAt/doneAt ISO 8601 with milliseconds in KST
#   ("2025-01-02T03:04:05.678+09:00", doneAt null on a PENDING record), mcc/mnc strings
#   (null where unknown), billing "Y"/"N" (seed 000's Charged flag of the result code),
#   echo_to_webhook null when the request had none;
# - the webhook call's headers (Content-Type application/json, no signature or key);
# - what counts as received: HTTP 2xx with a JSON object body holding `code` (any value).

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from simulator.apiplex.codes import (
    ACCEPTED,
    INVALID_DESTINATION,
    INVALID_SOURCE,
    NO_ERROR,
    WAITING,
    WRONG_COUNTRY,
    ServiceError,
    Status,
)
from simulator.apiplex.messages import Message, SendOrder
from simulator.core.kst import SEOUL
from simulator.core.replies import Reply

# gms-kg: Korea → abroad; gms-gk: abroad → Korea (PROVIDERS.md).
ROUTES = ("gms-kg", "gms-gk")
_SEND_PATH = re.compile(rf"/({'|'.join(ROUTES)})/v2/send/?")
E164 = re.compile(r"\+[1-9][0-9]{7,14}")  # "+" and 8-15 digits
SENDER = re.compile(r"\+?[0-9]{3,15}")
KOREA_PREFIX = "+82"
MAX_DESTINATIONS = 1000
MAX_ECHO = 200
MALFORMED = "400"  # a refusal seed 001 has no code for
INVALID_DESTINATION_CODE = str(INVALID_DESTINATION.id)  # "351"
WRONG_COUNTRY_CODE = str(WRONG_COUNTRY.id)  # "352"
INVALID_SOURCE_CODE = str(INVALID_SOURCE.id)  # "368"


class Refusal(ValueError):
    """A send request refused whole: HTTP 400 with `code` and a message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def problem(status: int, code: str, message: str) -> Reply:
    """An error answer: HTTP `status`, {"code", "message"}."""
    return Reply(status, {"code": code, "message": message})


NOT_FOUND = problem(404, "404", "No such API; POST /gms-kg/v2/send or /gms-gk/v2/send")
THROTTLED = problem(429, "429", "Too many requests; slow down and retry later")
SERVER_ERRORS = (
    problem(500, "500", "Internal server error"),
    problem(503, "503", "Service temporarily unavailable"),
)


def route_of(method: str, raw_uri: str) -> str | None:
    """ "gms-kg" or "gms-gk" for a POST to its send path; None for anything else (404)."""
    found = _SEND_PATH.fullmatch(urlsplit(raw_uri).path)
    return found.group(1) if found and method == "POST" else None


def presented_key(headers: Mapping[str, str]) -> str:
    """The API key in the Authorization header: its value, without a `Bearer ` prefix."""
    value = headers.get("authorization", "").strip()
    scheme, _, rest = value.partition(" ")
    return rest.strip() if scheme.lower() == "bearer" else value


def unauthorized(present: bool) -> Reply:
    """HTTP 401 for a missing or a wrong key."""
    why = "does not match the API key" if present else "is missing"
    return problem(401, "401", f"Authorization header {why}")


# --- the send body -------------------------------------------------------------------------


def _object(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body.decode("utf-8"))
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise Refusal(MALFORMED, f"body is not JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise Refusal(MALFORMED, "body must be a JSON object")
    return parsed


def _texts(parsed: dict[str, Any], count: int) -> tuple[str, ...]:
    """The request's `text` for every destination, or else each destination's own."""
    text = parsed.get("text")
    if text is not None:
        if not isinstance(text, str) or not text:
            raise Refusal(MALFORMED, "text must be a non-empty string")
        return (text,) * count
    own = [item.get("text") for item in parsed["destinations"]]
    for index, value in enumerate(own):
        if not isinstance(value, str) or not value:
            raise Refusal(MALFORMED, f"no text: give `text`, or destinations[{index}].text")
    return tuple(own)


def _sender(parsed: dict[str, Any]) -> str:
    sender = parsed.get("from")
    if not isinstance(sender, str) or not SENDER.fullmatch(sender):
        raise Refusal(INVALID_SOURCE_CODE, f"from {sender!r}: digits or E.164 (3-15 digits)")
    return sender


def _echo(parsed: dict[str, Any]) -> str | None:
    echo = parsed.get("echo_to_webhook")
    if echo is not None and (not isinstance(echo, str) or len(echo) > MAX_ECHO):
        raise Refusal(MALFORMED, f"echo_to_webhook must be a string of at most {MAX_ECHO}")
    return echo


def _destination(index: int, item: Any, route: str) -> str:
    if not isinstance(item, dict):
        raise Refusal(MALFORMED, f"destinations[{index}] must be an object with `to`")
    to = item.get("to")
    if not isinstance(to, str) or not E164.fullmatch(to):
        raise Refusal(INVALID_DESTINATION_CODE, f"destinations[{index}].to {to!r} is not E.164")
    if (route == "gms-kg") == to.startswith(KOREA_PREFIX):
        where = "abroad (not +82)" if route == "gms-kg" else "in Korea (+82)"
        raise Refusal(WRONG_COUNTRY_CODE, f"destinations[{index}].to: {route} sends {where}")
    return to


def _destinations(parsed: dict[str, Any], route: str) -> tuple[str, ...]:
    items = parsed.get("destinations")
    if not isinstance(items, list) or not items:
        raise Refusal(MALFORMED, "destinations must be a non-empty list")
    if len(items) > MAX_DESTINATIONS:
        raise Refusal(MALFORMED, f"at most {MAX_DESTINATIONS} destinations a request")
    return tuple(_destination(i, item, route) for i, item in enumerate(items))


def parse_send(body: bytes, route: str) -> SendOrder:
    """The order a send body describes; Refusal names the first problem found."""
    parsed = _object(body)
    sender, echo = _sender(parsed), _echo(parsed)
    destinations = _destinations(parsed, route)
    return SendOrder(route, sender, _texts(parsed, len(destinations)), destinations, echo)


# --- answers and webhook records -----------------------------------------------------------


def status_object(status: Status) -> dict[str, Any]:
    """{groupId, groupName, id, name, description} of a seed-000 result code."""
    return {
        "groupId": status.group_id,
        "groupName": status.group_name,
        "id": status.id,
        "name": status.name,
        "description": status.description,
    }


def error_object(error: ServiceError) -> dict[str, Any]:
    """{groupId, groupName, id, name, description, permanent} of a seed-001 service error."""
    return {
        "groupId": error.group_id,
        "groupName": error.group_name,
        "id": error.id,
        "name": error.name,
        "description": error.description,
        "permanent": error.permanent,
    }


def accepted(messages: list[Message]) -> Reply:
    """HTTP 200 for an accepted send: each message PENDING (26 PENDING_ACCEPTED)."""
    pending = status_object(ACCEPTED)
    return Reply(
        200,
        {
            "code": "0",
            "requestId": messages[0].batch.request_id,
            "messages": [
                {"messageId": m.message_id, "to": m.to, "status": pending} for m in messages
            ],
        },
    )


def wire_time(epoch: float | None) -> str | None:
    """ISO 8601 with milliseconds, Korean time: 2025-01-02T03:04:05.678+09:00."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, SEOUL).isoformat("T", "milliseconds")


def _record(message: Message, status: Status, error: ServiceError, done: bool) -> dict[str, Any]:
    return {
        "messageId": message.message_id,
        "to": message.to,
        "sentAt": wire_time(message.batch.sent_at),
        "doneAt": wire_time(message.done_at if done else None),
        "smsCount": message.batch.sms_count,
        "mcc": message.mcc,
        "mnc": message.mnc,
        "billing": "Y" if status.charged else "N",
        "echo_to_webhook": message.batch.echo,
        "status": status_object(status),
        "error": error_object(error),
    }


def result_record(message: Message) -> dict[str, Any]:
    """The final record of a completed message."""
    return _record(message, message.outcome.status, message.outcome.error, done=True)


def pending_record(message: Message) -> dict[str, Any]:
    """An interim record: 1 PENDING / 3 PENDING_WAITING_DELIVERY, no error, no doneAt."""
    return _record(message, WAITING, NO_ERROR, done=False)


def webhook_body(record: dict[str, Any]) -> bytes:
    """One webhook call's body: {"results": [record]}."""
    return json.dumps({"results": [record]}, ensure_ascii=False).encode()


WEBHOOK_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


def acknowledged(status: int, body: bytes) -> bool:
    """Whether the receiver took the record: HTTP 2xx and a JSON object holding `code`."""
    if not 200 <= status < 300:
        return False
    try:
        answer = json.loads(body.decode("utf-8"))
    except ValueError:
        return False
    return isinstance(answer, dict) and "code" in answer
