"""NHN authentication: the appKey in the path and the X-Secret-Key header (v3.0 guide)."""

import hmac
from collections.abc import Mapping

from simulator.core.replies import Reply
from simulator.nhn.replies import failed
from simulator.nhn.results import INVALID_APP_KEY, NhnError

SECRET_HEADER = "x-secret-key"


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def refusal(app_key: str, headers: Mapping[str, str], keys: tuple[str, str]) -> Reply | None:
    """Why the call is not authenticated, as NHN answers it; None when it is.

    An unknown appKey is HTTP 200 with resultCode -1000 (seed 002, "Invalid appKey.").
    A missing or wrong X-Secret-Key: the guide gives no HTTP status for it; the simulator
    answers 401 with the same header shape, resultCode -1000, naming the secret key.
    """
    expected_app_key, secret = keys
    if not _same(app_key, expected_app_key):
        return failed(NhnError(INVALID_APP_KEY))
    given = headers.get(SECRET_HEADER)
    if not given:
        return failed(NhnError(INVALID_APP_KEY, "X-Secret-Key header is missing"), 401)
    if not _same(given, secret):
        return failed(NhnError(INVALID_APP_KEY, "X-Secret-Key does not match the appKey"), 401)
    return None
