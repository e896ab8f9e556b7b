"""Authorization (the API key, or `Bearer <key>`) and the one send path per route."""

import pytest

NUMBER = "+447700900123"


@pytest.mark.parametrize(
    "value", ["sim-apiplex-key", "Bearer sim-apiplex-key", "bearer  sim-apiplex-key"]
)
def test_key_accepted_bare_or_bearer(apiplex, body, value):
    answer = apiplex.send(body(NUMBER), headers={"Authorization": value})
    assert answer.status_code == 200, answer.text
    assert answer.json()["code"] == "0"


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "missing"),
        ({"Authorization": ""}, "missing"),
        ({"Authorization": "Bearer "}, "missing"),
        ({"Authorization": "wrong-key"}, "does not match"),
        ({"Authorization": "Bearer wrong-key"}, "does not match"),
        ({"Authorization": "Basic sim-apiplex-key"}, "does not match"),
        ({"X-Api-Key": "sim-apiplex-key"}, "missing"),
    ],
)
def test_missing_or_wrong_key_is_401(apiplex, body, headers, why):
    answer = apiplex.send(body(NUMBER), headers=headers)
    assert answer.status_code == 401
    assert answer.json()["code"] == "401" and why in answer.json()["message"]
    stats = apiplex.stats()
    assert (stats["requests_accepted"], stats["messages_accepted"]) == (0, 0)
    assert stats["responses"] == {"401": 1}


def test_auth_comes_before_validation(apiplex):
    answer = apiplex.send({"text": ""}, headers={"Authorization": "nope"})
    assert answer.status_code == 401


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/gms-xx/v2/send"),
        ("POST", "/gms-kg/v1/send"),
        ("POST", "/gms-kg/v2/messages"),
        ("POST", "/gms-kg/v2/send/extra"),
        ("GET", "/gms-kg/v2/send"),
        ("POST", "/"),
    ],
)
def test_other_paths_are_404(apiplex, body, method, path):
    answer = apiplex.http.request(
        method,
        apiplex.base_url + path,
        json=body(NUMBER),
        headers={"Authorization": apiplex.api_key},
        timeout=10,
    )
    assert answer.status_code == 404 and answer.json()["code"] == "404"
    assert apiplex.stats()["requests_accepted"] == 0


def test_both_routes_and_a_trailing_slash_send(apiplex, body):
    assert apiplex.send(body(NUMBER), "gms-kg").status_code == 200
    assert apiplex.send(body("+821012345678"), "gms-gk").status_code == 200
    url = f"{apiplex.base_url}/gms-kg/v2/send/?x=1"
    answer = apiplex.http.post(
        url, json=body(NUMBER), headers={"Authorization": apiplex.api_key}, timeout=10
    )
    assert answer.status_code == 200
