"""appKey in the path, X-Secret-Key header, API versions, content type; faults come after auth."""

import pytest
from conftest import result_code


def test_unknown_app_key_is_200_with_minus_1000(nhn, body):
    answer = nhn.send(body("01012345678"), app_key="someone-else")
    assert answer.status_code == 200
    assert answer.json()["header"] == {
        "isSuccessful": False,
        "resultCode": -1000,
        "resultMessage": "Invalid appKey.",
    }
    assert nhn.stats()["requests_accepted"] == 0


@pytest.mark.parametrize(
    ("headers", "named"),
    [({}, "X-Secret-Key header is missing"), ({"X-Secret-Key": "wrong"}, "does not match")],
)
def test_missing_or_wrong_secret_key_is_401(nhn, body, headers, named):
    answer = nhn.call("POST", "/sender/sms", body("01012345678"), headers=headers)
    assert answer.status_code == 401
    header = answer.json()["header"]
    assert (header["isSuccessful"], header["resultCode"]) == (False, -1000)
    assert "X-Secret-Key" in header["resultMessage"] and named in header["resultMessage"]
    assert nhn.stats()["responses"] == {"401": 1}


def test_v2_4_paths_are_accepted(nhn, body):
    answer = nhn.send(body("01012345678"), version="v2.4")
    assert answer.json()["header"]["isSuccessful"]


def test_unknown_version_and_api_are_404(nhn):
    assert result_code(nhn.call("GET", "/sender/sms", version="v9.9")) == -9995
    unknown = nhn.call("GET", "/sender/fax")
    assert (unknown.status_code, result_code(unknown)) == (404, -9998)
    assert nhn.control("GET", "/elsewhere").status_code == 404


def test_body_must_be_json(nhn):
    answer = nhn.http.post(
        nhn.base_url + nhn.uri("/sender/sms"),
        data="body=hello",
        headers={"X-Secret-Key": nhn.secret_key, "Content-Type": "text/plain"},
        timeout=5,
    )
    assert result_code(answer) == -9996
    broken = nhn.http.post(
        nhn.base_url + nhn.uri("/sender/sms"),
        data="{not json",
        headers={"X-Secret-Key": nhn.secret_key, "Content-Type": "application/json"},
        timeout=5,
    )
    assert result_code(broken) == -9997


def test_faults_come_after_auth(nhn, body):
    nhn.faults(rate_429=1.0)
    assert nhn.call("POST", "/sender/sms", body("01012345678"), headers={}).status_code == 401
    assert nhn.send(body("01012345678")).status_code == 429
