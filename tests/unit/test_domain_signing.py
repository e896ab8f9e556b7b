"""signature_v2 against NAVER Cloud's published test vector (PROVIDERS.md, seeds README)."""

import base64
import hashlib
import hmac

import pytest

from worker.domain.signing import signature_v2

VECTOR_URI = "/vserver/v2/getServerInstanceList?responseFormatType=json"
VECTOR_TS = "1234567890123"
VECTOR_ACCESS = "TestAccessKey"
VECTOR_SECRET = "TestSecretKey"
VECTOR_SIGNATURE = "FPsYYX8fuMAgi+cue3eACOW0dNtIwu1LYWfg/megA2M="


def test_published_vector() -> None:
    signature = signature_v2("GET", VECTOR_URI, VECTOR_TS, VECTOR_ACCESS, VECTOR_SECRET)
    assert signature == VECTOR_SIGNATURE


def test_method_is_upper_cased() -> None:
    signature = signature_v2("get", VECTOR_URI, VECTOR_TS, VECTOR_ACCESS, VECTOR_SECRET)
    assert signature == VECTOR_SIGNATURE


def test_matches_the_documented_formula() -> None:
    uri = "/sms/v2/services/ncp:sms:kr:123:abc/messages?requestId=R-1&pageSize=1000"
    message = f"POST {uri}\n1700000000000\nAK"
    expected = base64.b64encode(hmac.new(b"SK", message.encode(), hashlib.sha256).digest()).decode()
    assert signature_v2("POST", uri, "1700000000000", "AK", "SK") == expected


@pytest.mark.parametrize(
    ("method", "uri", "timestamp", "access", "secret"),
    [
        pytest.param("POST", VECTOR_URI, VECTOR_TS, VECTOR_ACCESS, VECTOR_SECRET, id="method"),
        pytest.param(
            "GET",
            "/vserver/v2/getServerInstanceList?responseFormatType=xml",
            VECTOR_TS,
            VECTOR_ACCESS,
            VECTOR_SECRET,
            id="query",
        ),
        pytest.param(
            "GET",
            "/vserver/v2/getServerInstanceList",
            VECTOR_TS,
            VECTOR_ACCESS,
            VECTOR_SECRET,
            id="uri-without-query",
        ),
        pytest.param("GET", VECTOR_URI, "1234567890124", VECTOR_ACCESS, VECTOR_SECRET, id="ts"),
        pytest.param("GET", VECTOR_URI, VECTOR_TS, "OtherAccessKey", VECTOR_SECRET, id="access"),
        pytest.param("GET", VECTOR_URI, VECTOR_TS, VECTOR_ACCESS, "OtherSecretKey", id="secret"),
    ],
)
def test_any_input_change_changes_the_signature(
    method: str, uri: str, timestamp: str, access: str, secret: str
) -> None:
    assert signature_v2(method, uri, timestamp, access, secret) != VECTOR_SIGNATURE


def test_signature_is_base64_of_a_sha256_digest() -> None:
    raw = base64.b64decode(signature_v2("GET", "/x", "1", "a", "b"), validate=True)
    assert len(raw) == 32
