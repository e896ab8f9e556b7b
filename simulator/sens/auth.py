"""API Gateway authentication: access key, timestamp skew and signature v2 checks."""

import hmac
from collections.abc import Mapping

from worker.domain.signing import signature_v2

TIMESTAMP_HEADER = "x-ncp-apigw-timestamp"
ACCESS_KEY_HEADER = "x-ncp-iam-access-key"
SIGNATURE_HEADER = "x-ncp-apigw-signature-v2"
MAX_SKEW_MS = 5 * 60 * 1000


class AuthError(Exception):
    """Why a request is not authenticated (the 401 body's details)."""


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if not value:
        raise AuthError(f"missing header {name}")
    return value


def _check_timestamp(raw: str, now_ms: int) -> None:
    if not raw.isdigit():
        raise AuthError(f"{TIMESTAMP_HEADER} must be epoch milliseconds")
    skew = abs(int(raw) - now_ms)
    if skew > MAX_SKEW_MS:
        raise AuthError(f"{TIMESTAMP_HEADER} is {skew // 1000} s off the gateway clock (max 300)")


def check_request(
    method: str, raw_uri: str, headers: Mapping[str, str], keys: tuple[str, str], now_ms: int
) -> None:
    """Raise AuthError unless the headers sign `method raw_uri` with `keys` (access, secret)."""
    access_key, secret = keys
    timestamp = _header(headers, TIMESTAMP_HEADER)
    given_key = _header(headers, ACCESS_KEY_HEADER)
    signature = _header(headers, SIGNATURE_HEADER)
    if not hmac.compare_digest(given_key.encode(), access_key.encode()):
        raise AuthError("unknown access key")
    _check_timestamp(timestamp, now_ms)
    expected = signature_v2(method, raw_uri, timestamp, access_key, secret)
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        raise AuthError("signature does not match")
