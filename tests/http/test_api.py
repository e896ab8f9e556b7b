"""The campaign API over a real `bulksms serve` (uvicorn): keys required on every route,
clear 401/403/404/409/422 answers, OpenAPI served, and no input that makes it answer 500."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from producer.apikeys import create_key, revoke_key
from tests.conftest import BROKER_REDIS_URL, fresh_schema
from tests.http.serving import serving
from worker.db.engine import get_engine

SPEC = {"name": "api", "sender": "0212345678", "template": "{name}님 안내", "provider": "sens"}
RECIPIENTS = [{"phone": "010-1234-5678", "name": "민준"}, {"phone": "01098765432", "name": "서연"},
              {"phone": "02-123-4567", "name": "집"}]  # fmt: skip


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    """(base URL, a valid key, database URL) of a running service; its broker has no worker."""
    with fresh_schema() as database_url:
        values = {"BULKSMS_DATABASE_URL": database_url, "BULKSMS_BROKER_URL": BROKER_REDIS_URL}
        with serving(values, tmp_path_factory.mktemp("api")) as base:
            yield base, create_key(get_engine(database_url), "tests"), database_url


def _call(api, method: str, path: str, key: str | None = "own", **kw) -> requests.Response:
    base, own, _ = api
    headers = {} if key is None else {"Authorization": f"Bearer {own if key == 'own' else key}"}
    return requests.request(method, f"{base}{path}", headers=headers, timeout=30, **kw)


def _routes(api) -> list[tuple[str, str]]:
    paths = _call(api, "GET", "/openapi.json", key=None).json()["paths"]
    return [(method.upper(), path.replace("{campaign_id}", "1"))
            for path, methods in paths.items() if path.startswith("/api/")
            for method in methods]  # fmt: skip


def test_the_openapi_description_is_served_and_every_route_needs_a_key(api) -> None:
    routes = _routes(api)
    assert len(routes) >= 9
    for method, path in routes:
        missing = _call(api, method, path, key=None, json={})
        assert missing.status_code == 401, (method, path)
        assert "API key is required" in missing.json()["detail"]
        wrong = _call(api, method, path, key="bsk_not-a-key", json={})
        assert wrong.status_code == 403, (method, path)


def test_a_campaign_is_created_watched_paused_resumed_and_cancelled(api) -> None:
    created = _call(api, "POST", "/api/v1/campaigns", json={"spec": SPEC, "recipients": RECIPIENTS})
    assert created.status_code == 201, created.text
    report = created.json()
    assert (report["imported"], report["rejected"]) == (2, 1)
    assert "not a mobile number" in report["errors"][0]["reason"]
    campaign = report["campaign_id"]
    shown = _call(api, "GET", f"/api/v1/campaigns/{campaign}").json()
    assert (shown["campaign_id"], shown["total"]) == (campaign, 2)
    assert _call(api, "POST", f"/api/v1/campaigns/{campaign}/pause").json()["status"] == "paused"
    again = _call(api, "POST", f"/api/v1/campaigns/{campaign}/pause")
    assert again.status_code == 409 and "only an open campaign" in again.json()["detail"]
    assert _call(api, "POST", f"/api/v1/campaigns/{campaign}/resume").status_code == 200
    assert _call(api, "POST", f"/api/v1/campaigns/{campaign}/cancel").status_code == 202


def test_a_csv_upload_is_imported_with_its_rejects(api, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("phone,name\n010-1111-2222,지호\nnot-a-number,x\n", encoding="utf-8")
    with path.open("rb") as handle:
        answer = _call(api, "POST", "/api/v1/campaigns/upload",
                       data={"spec": json.dumps(SPEC)}, files={"file": handle})  # fmt: skip
    assert answer.status_code == 201, answer.text
    assert (answer.json()["imported"], answer.json()["rejected"]) == (1, 1)


def test_bad_input_gets_a_clear_answer(api) -> None:
    unknown = _call(api, "GET", "/api/v1/campaigns/999999")
    assert unknown.status_code == 404 and "no campaign with id 999999" in unknown.json()["detail"]
    bad = _call(api, "POST", "/api/v1/campaigns",
                json={"spec": {**SPEC, "sender": "12"}, "recipients": RECIPIENTS})  # fmt: skip
    assert bad.status_code == 422 and "sender" in bad.json()["detail"]
    empty = _call(api, "POST", "/api/v1/campaigns", json={"spec": SPEC, "recipients": []})
    assert empty.status_code == 422
    preview = _call(api, "POST", "/api/v1/campaigns/preview",
                    json={"spec": SPEC, "recipients": RECIPIENTS})  # fmt: skip
    assert preview.status_code == 200 and preview.json()["rejected"] == 1


def test_a_revoked_key_is_refused(api) -> None:
    _, _, database_url = api
    key = create_key(get_engine(database_url), "leaving")
    assert _call(api, "GET", "/api/v1/campaigns/1", key=key).status_code in (200, 404)
    revoke_key(get_engine(database_url), "leaving")
    assert _call(api, "GET", "/api/v1/campaigns/1", key=key).status_code == 403


JSONISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)  # JSON has neither
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    route=st.sampled_from(
        ["/api/v1/campaigns", "/api/v1/campaigns/preview", "/api/v1/campaigns/1/resend"]
    ),
    spec=st.dictionaries(
        st.sampled_from([*SPEC, "message_type", "send_at", "images", "ad"]), JSONISH, max_size=6
    ),
    recipients=st.lists(
        st.dictionaries(st.sampled_from(["phone", "name"]), st.text(max_size=20), max_size=2),
        max_size=5,
    ),
)
def test_no_body_makes_the_api_fail(api, route: str, spec: dict, recipients: list) -> None:
    body = {"spec": {**SPEC, **spec}, "recipients": recipients, "only": "failed"}
    answer = _call(api, "POST", route, json=body)
    assert answer.status_code < 500 or answer.status_code == 503, answer.text


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(campaign=st.integers(min_value=-5, max_value=10**12), action=st.sampled_from(
    ["GET ", "POST /pause", "POST /resume", "POST /cancel", "GET /export"]))  # fmt: skip
def test_no_campaign_id_makes_the_api_fail(api, campaign: int, action: str) -> None:
    method, _, suffix = action.partition(" ")
    answer = _call(api, method, f"/api/v1/campaigns/{campaign}{suffix}")
    assert answer.status_code < 500, answer.text
