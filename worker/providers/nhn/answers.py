"""NHN answers: the `header` every call returns, mapped onto ProviderError by what to do next."""

from typing import Any

import requests

from worker.domain.codes import Outcome, lookup
from worker.providers.errors import AuthFailed, FileGone, ProviderError, Rejected, RetryLater
from worker.providers.http import error_kind, short_text

PROVIDER = "nhn"
# Seed 002, "Common" area: codes that say the keys, the project or the caller's IP are not
# allowed. Every request fails the same way until an operator fixes the settings.
AUTH_CODES = frozenset({"-1000", "-1001", "-1002", "-1003", "-1004", "-1007", "-1008"})
# Seed 002 -2004: "The attachment has expired or does not exist": upload it again.
FILE_GONE = "-2004"


def header_of(body: Any) -> dict[str, Any] | None:
    """The `header` object of an answer, or None when the body has none."""
    header = body.get("header") if isinstance(body, dict) else None
    return header if isinstance(header, dict) else None


def failure(header: dict[str, Any], status: int | None = None) -> ProviderError | None:
    """The error a header with isSuccessful=false stands for (seed 002 API result codes)."""
    if header.get("isSuccessful") is True:
        return None
    code = str(header.get("resultCode", ""))
    message = str(header.get("resultMessage") or f"resultCode {code}")[:300]
    if code == FILE_GONE:
        return FileGone(message, provider=PROVIDER, status=status, code=code)
    kind = _kind(code)
    return kind(message, provider=PROVIDER, status=status, code=code or None, family="api")


def _kind(code: str) -> type[ProviderError]:
    if code in AUTH_CODES:
        return AuthFailed
    row = lookup(PROVIDER, code, "api") if code else None
    # The catalogue classes a request-level code: retryable ones are NHN's system errors.
    return RetryLater if row is not None and row.outcome is Outcome.RETRYABLE else Rejected


def http_error(response: requests.Response) -> ProviderError:
    """A non-2xx answer: its HTTP class, with the header's code and message when there is one."""
    status = response.status_code
    try:
        header = header_of(response.json())
    except ValueError:
        header = None
    code = str(header["resultCode"]) if header and "resultCode" in header else None
    message = str(header.get("resultMessage", "")) if header else short_text(response)
    kind = error_kind(status)
    if code in AUTH_CODES:
        kind = AuthFailed
    family = "api" if code else None
    return kind(
        message or f"HTTP {status}", provider=PROVIDER, status=status, code=code, family=family
    )
