"""NHN answers: every one carries header {isSuccessful, resultCode, resultMessage}."""

from typing import Any

from simulator.core.replies import Reply
from simulator.nhn.results import MESSAGES, SUCCESS, SYSTEM_ERROR, NhnError

_NO_BODY = object()


def header(code: int = SUCCESS, message: str | None = None) -> dict[str, Any]:
    """The header object; isSuccessful is true exactly for resultCode 0."""
    text = MESSAGES[SUCCESS] if message is None and code == SUCCESS else message
    return {"isSuccessful": code == SUCCESS, "resultCode": code, "resultMessage": text or ""}


def ok(body: Any = _NO_BODY) -> Reply:
    """HTTP 200, success header, and `body` (left out when not given; null when None)."""
    answer: dict[str, Any] = {"header": header()}
    if body is not _NO_BODY:
        answer["body"] = body
    return Reply(200, answer)


def data(value: Any) -> Reply:
    """HTTP 200 with body.data = `value`."""
    return ok({"data": value})


def failed(error: NhnError, status: int = 200) -> Reply:
    """A refusal: HTTP 200 (business errors) or `status`, with isSuccessful false."""
    return Reply(status, {"header": header(error.code, error.message), "body": None})


def system_error(status: int) -> Reply:
    """HTTP `status` (5xx) with resultCode -9999."""
    return failed(NhnError(SYSTEM_ERROR), status)
