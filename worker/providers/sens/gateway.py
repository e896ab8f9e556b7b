"""Turn a SENS or NAVER API Gateway error response into the right ProviderError."""

import requests

from worker.providers.errors import FileGone, ProviderError, Rejected
from worker.providers.http import error_kind, short_text

PROVIDER = "sens"

# PROVIDERS.md, gateway errors: {"error": {"errorCode", "message"}}; 401/200 auth failed,
# 401/210 permission denied, 429/400 quota, 429/410 throttle, 429/420 rate,
# 503/500 endpoint error, 504/510 endpoint timeout, 500/900 unexpected. SENS's own 4xx
# body is {"statusCode", "statusName", "errorMessage"} (the shape is unconfirmed).


def _error_detail(response: requests.Response) -> tuple[str | None, str]:
    """The gateway's errorCode and a message, from whichever body shape came back."""
    try:
        body = response.json()
    except ValueError:
        return None, short_text(response)
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
    kind = error_kind(status)
    return kind(message or f"HTTP {status}", provider=PROVIDER, status=status, code=code)


def file_gone(error: Rejected, file_ids: list[str]) -> FileGone | None:
    """A refused MMS whose message blames its file: FileGone, so the file is uploaded again.

    Unconfirmed: seed 003 names no error for an expired or unknown fileId (a file is kept 6
    days); a 400 naming "file" on a request that carried files is read as that.
    """
    if not file_ids or error.status != 400 or "file" not in error.message.lower():
        return None
    return FileGone(error.message, provider=PROVIDER, status=400, file_ids=tuple(file_ids))
