"""API PLEX answers that are not an acceptance, mapped onto ProviderError by what to do next."""

from typing import Any

import requests

from worker.domain.codes import matches
from worker.providers.errors import ProviderError
from worker.providers.http import error_kind, short_text

PROVIDER = "apiplex"
TITLE = "API PLEX"
# Seed 001: the codes an error answer's `code` is read in (unconfirmed: the public docs give
# no error body for the send call; {"code", "message"} is how its webhook answer reads).
SERVICE_ERROR = "service_error"


def detail(body: Any) -> tuple[str | None, str]:
    """(code, message) of an error body: API PLEX's own {"code", "message"}, or the NAVER
    API Gateway's {"error": {"errorCode", "message", "details"}} (the host is apigw.ntruss.com,
    whose gateway answers auth and quota errors itself, as for SENS in PROVIDERS.md)."""
    if not isinstance(body, dict):
        return None, ""
    gateway = body.get("error")
    if isinstance(gateway, dict):
        message = str(gateway.get("message") or "")
        details = gateway.get("details")
        return None, f"{message}: {details}" if details else message
    code = body.get("code")
    return (None if code in (None, "") else str(code)), str(body.get("message") or "")[:300]


def family_of(code: str | None) -> str | None:
    """`service_error` when seed 001 lists the code; None leaves our own HTTP<status> code on
    the recipients of a refused request (worker/services/dispatch.py, _error_code)."""
    if code is None:
        return None
    listed = any(row.family == SERVICE_ERROR for row in matches(PROVIDER, code))
    return SERVICE_ERROR if listed else None


def http_error(response: requests.Response) -> ProviderError:
    """A non-2xx answer: 401/403 AuthFailed, 429 SlowDown, 5xx RetryLater, 400 Rejected.

    A 400's service error code goes on the error with its family even where the catalogue
    calls that code retryable: the request as a whole was refused, and sending the same
    body again would be refused the same way.
    """
    status = response.status_code
    try:
        code, message = detail(response.json())
    except ValueError:
        code, message = None, short_text(response)
    kind = error_kind(status)
    return kind(
        message or f"HTTP {status}",
        provider=PROVIDER,
        status=status,
        code=code,
        family=family_of(code),
    )
