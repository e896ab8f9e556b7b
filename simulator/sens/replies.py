"""The SENS and API-gateway error bodies (Reply itself lives in simulator.core.replies)."""

from typing import Any

from simulator.core.replies import Reply

__all__ = ["Reply", "auth_failed", "bad_request", "empty_not_found", "gateway_error", "not_found"]


def gateway_error(status: int, code: str, message: str, details: str | None = None) -> Reply:
    """An API Gateway error: {"error": {"errorCode", "message"[, "details"]}}."""
    error: dict[str, Any] = {"errorCode": code, "message": message}
    if details is not None:
        error["details"] = details
    return Reply(status, {"error": error})


def auth_failed(details: str) -> Reply:
    """401 / gateway code 200."""
    return gateway_error(401, "200", "Authentication Failed", details)


def not_found() -> Reply:
    """404 / gateway code 300."""
    return gateway_error(404, "300", "Not Found Exception")


def bad_request(message: str) -> Reply:
    """SENS's 400 for a request it refuses, naming the problem."""
    return Reply(400, {"statusCode": "400", "statusName": "fail", "errorMessage": message})


def empty_not_found() -> Reply:
    """404 with an empty body (unknown requestId / messageId, as client authors saw)."""
    return Reply(404, None)


def sens_not_found(message: str) -> Reply:
    """SENS's 404 naming what it does not know (unknown reservation)."""
    return Reply(404, {"statusCode": "404", "statusName": "fail", "errorMessage": message})
