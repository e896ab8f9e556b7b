"""Turn a SENS or NAVER API Gateway error response into the right ProviderError."""

import requests

from worker.providers.errors import (
    AuthFailed,
    ProviderError,
    Rejected,
    RetryLater,
    SlowDown,
)

PROVIDER = "sens"

# PROVIDERS.md, gateway errors: {"error": {"errorCode", "message"}}; 401/200 auth failed,
# 401/210 permission denied, 429/400 quota, 429/410 throttle, 429/420 rate,
# 503/500 endpoint error, 504/510 endpoint timeout, 500/900 unexpected.
_REJECTED = {400, 404, 405, 413, 415, 422}
_AUTH = {401, 403}


def _error_detail(response: requests.Response) -> tuple[str | None, str]:
    """The gateway's errorCode and a message, from whichever body shape came back."""
    try:
        body = response.json()
    except ValueError:
        return None, (response.text or response.reason or "").strip()[:300]
    if not isinstance(body, dict):
        return None, str(body)[:300]
    error = body.get("error")
    if isinstance(error, dict):
        message = str(error.get("message", ""))
        details = error.get("details")
        return _str_or_none(error.get("errorCode")), f"{message}: {details}" if details else message
    message = body.get("errorMessage") or body.get("statusName") or str(body)
    return None, str(message)[:300]


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def error_for(response: requests.Response) -> ProviderError:
    """The error a non-success response stands for, grouped by what the caller should do."""
    status = response.status_code
    code, message = _error_detail(response)
    kind: type[ProviderError]
    if status == 429:
        kind = SlowDown
    elif status in _AUTH:
        kind = AuthFailed
    elif status in _REJECTED:
        kind = Rejected
    elif status >= 500:
        kind = RetryLater
    else:
        kind = RetryLater if status == 408 else Rejected
    return kind(message or f"HTTP {status}", provider=PROVIDER, status=status, code=code)
