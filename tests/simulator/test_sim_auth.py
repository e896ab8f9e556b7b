"""Gateway authentication and service lookup on the SENS API paths."""

import pytest

from worker.domain.signing import signature_v2


def _failed(details: str) -> dict:
    return {"error": {"errorCode": "200", "message": "Authentication Failed", "details": details}}


def test_bad_signature_is_401(sens, sms_body):
    uri = sens.uri("/messages")
    headers = sens.signed_headers("POST", uri)
    headers["x-ncp-apigw-signature-v2"] = signature_v2(
        "POST", uri, headers["x-ncp-apigw-timestamp"], sens.access_key, "wrong-secret"
    )
    answer = sens.raw("POST", uri, headers, sms_body("01012345678"))
    assert answer.status_code == 401
    assert answer.json() == _failed("signature does not match")
    assert sens.stats()["requests_accepted"] == 0


def test_signature_over_another_path_is_401(sens):
    headers = sens.signed_headers("GET", sens.uri("/messages?requestId=a"))
    answer = sens.raw("GET", sens.uri("/messages?requestId=b"), headers)
    assert answer.json() == _failed("signature does not match")


def test_stale_timestamp_is_401(sens, sms_body):
    uri = sens.uri("/messages")
    headers = sens.signed_headers("POST", uri, offset_ms=-6 * 60 * 1000)
    answer = sens.raw("POST", uri, headers, sms_body("01012345678"))
    assert answer.status_code == 401
    assert answer.json() == _failed(
        "x-ncp-apigw-timestamp is 360 s off the gateway clock (max 300)"
    )


def test_wrong_access_key_is_401(sens, sms_body):
    uri = sens.uri("/messages")
    headers = sens.signed_headers("POST", uri)
    headers["x-ncp-iam-access-key"] = "someone-else"
    answer = sens.raw("POST", uri, headers, sms_body("01012345678"))
    assert answer.json() == _failed("unknown access key")


@pytest.mark.parametrize(
    "header",
    ["x-ncp-apigw-timestamp", "x-ncp-iam-access-key", "x-ncp-apigw-signature-v2"],
)
def test_missing_header_is_401(sens, sms_body, header):
    uri = sens.uri("/messages")
    headers = sens.signed_headers("POST", uri)
    del headers[header]
    answer = sens.raw("POST", uri, headers, sms_body("01012345678"))
    assert answer.status_code == 401
    assert answer.json() == _failed(f"missing header {header}")
    assert sens.stats()["responses"] == {"401": 1}


def test_unknown_service_is_404(sens, sms_body):
    uri = sens.uri("/messages", service_id="ncp:sms:kr:999999999999:other")
    answer = sens.call("POST", uri, sms_body("01012345678"))
    assert answer.status_code == 404
    assert answer.json() == {"error": {"errorCode": "300", "message": "Not Found Exception"}}


def test_percent_encoded_service_id_is_accepted(sens, sms_body):
    uri = sens.uri("/messages", service_id=sens.service_id.replace(":", "%3A"))
    answer = sens.call("POST", uri, sms_body("01012345678"))
    assert answer.status_code == 202
