"""The HTTP service under uvicorn, as `bulksms serve` runs it: each bad webhook call gets its
documented answer and stores nothing; a good one is stored before it is answered."""

import json
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import fresh_schema
from tests.http.serving import serving
from worker.db.engine import get_engine
from worker.db.models import InboxEvent

SECRET = "s3cret-signature"
HEADER = "X-Toast-Webhook-Signature"
GOOD = {
    "event": "MESSAGE_RESULT_UPDATE",
    "hooks": [{"requestId": "R1", "recipientSeq": 1, "recipientNo": "01012345678",
               "messageStatus": "COMPLETED", "resultCode": "1000"}],
}  # fmt: skip
# API PLEX: one record per call (PROVIDERS.md); its secret rides in the URL we gave it.
APIPLEX_SECRET = "sim-apiplex-webhook-secret"  # the simulators' (config/providers.py)
RECORD = {"messageId": "m1", "to": "+447911123456", "echo_to_webhook": "17:1",
          "status": {"groupId": 3, "groupName": "DELIVERED", "id": 5}}  # fmt: skip
APIPLEX_GOOD = {"results": [RECORD]}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, database URL) of a running `bulksms serve`."""
    with fresh_schema() as database_url:
        values = {"BULKSMS_DATABASE_URL": database_url, "BULKSMS_NHN__WEBHOOK_SECRET": SECRET}
        with serving(values, tmp_path_factory.mktemp("serve")) as base:
            yield base, database_url


def _stored(database_url: str) -> int:
    with get_engine(database_url).connect() as conn:
        return int(conn.execute(select(func.count()).select_from(InboxEvent)).scalar_one())


def _post(base: str, body: bytes | str, **headers: str) -> requests.Response:
    return requests.post(f"{base}/webhooks/nhn", data=body, headers=headers, timeout=10)


@pytest.mark.parametrize(
    ("headers", "body", "status", "says"),
    [
        ({}, json.dumps(GOOD), 401, "secret"),
        ({HEADER: "wrong"}, json.dumps(GOOD), 401, "secret"),
        ({HEADER: SECRET}, "{not json", 422, "not JSON"),
        ({HEADER: SECRET}, "[1, 2]", 422, "JSON object"),
        ({HEADER: SECRET}, json.dumps({"event": "MESSAGE_RESULT_UPDATE"}), 422, "'hooks'"),
        ({HEADER: SECRET}, json.dumps({**GOOD, "hooks": [{"requestId": "R1"}]}), 422, "lacks"),
        ({HEADER: SECRET}, b"x" * 1_000_001, 413, "limit"),
    ],
    ids=["no-secret", "bad-signature", "malformed", "not-object", "no-hooks", "bad-hook", "1MB"],
)
def test_a_bad_call_gets_its_answer_and_stores_nothing(
    service, headers: dict, body: bytes | str, status: int, says: str
) -> None:
    base, database_url = service
    before = _stored(database_url)
    answer = _post(base, body, **headers)
    assert answer.status_code == status
    assert answer.json()["code"] == str(status) and says in answer.json()["message"]
    assert _stored(database_url) == before


def test_a_good_call_is_stored_before_it_is_answered(service) -> None:
    base, database_url = service
    before = _stored(database_url)
    answer = _post(base, json.dumps(GOOD), **{HEADER: SECRET})
    assert answer.status_code == 200 and answer.json()["code"] == "0"
    assert _stored(database_url) == before + 1
    with get_engine(database_url).connect() as conn:
        body = conn.execute(select(InboxEvent.body).order_by(InboxEvent.id.desc())).scalar()
    assert json.loads(body) == GOOD


def test_a_provider_without_webhooks_has_no_hook_and_the_log_says_so(
    service, tmp_path_factory
) -> None:
    base, _ = service
    answer = requests.post(f"{base}/webhooks/sens", json=GOOD, timeout=10)
    assert answer.status_code == 404 and answer.json()["code"] == "404"
    # A webhook pointed at the wrong path shows in the log, not only at the provider.
    logs = "".join(p.read_text() for p in tmp_path_factory.getbasetemp().glob("serve*/serve.log"))
    refused = "webhook provider='sens' from=127.0.0.1 refused 404: no webhook for this provider"
    assert refused in logs


def _apiplex(base: str, body: bytes | str, query: str = "", **headers: str) -> requests.Response:
    url = f"{base}/webhooks/apiplex{query}"
    return requests.post(url, data=body, headers=headers, timeout=10)


@pytest.mark.parametrize(
    ("query", "body", "status", "says"),
    [
        ("", json.dumps(APIPLEX_GOOD), 401, "secret"),
        ("?secret=wrong", json.dumps(APIPLEX_GOOD), 401, "secret"),
        (f"?secret={APIPLEX_SECRET}", "{not json", 422, "not JSON"),
        (f"?secret={APIPLEX_SECRET}", json.dumps({"results": "none"}), 422, "'results'"),
        (f"?secret={APIPLEX_SECRET}", json.dumps({"results": [{"to": "+44"}]}), 422, "lacks"),
        (f"?secret={APIPLEX_SECRET}", b"x" * 1_000_001, 413, "limit"),
    ],
    ids=["no-secret", "wrong-secret", "malformed", "not-a-list", "bad-record", "1MB"],
)
def test_a_bad_api_plex_call_gets_its_answer_and_stores_nothing(
    service, query: str, body: bytes | str, status: int, says: str
) -> None:
    base, database_url = service
    before = _stored(database_url)
    answer = _apiplex(base, body, query)
    assert answer.status_code == status
    assert answer.json()["code"] == str(status) and says in answer.json()["message"]
    assert _stored(database_url) == before


@pytest.mark.parametrize("where", ["query", "header"])
def test_an_api_plex_call_is_stored_with_its_secret_in_the_url_or_a_header(
    service, where: str
) -> None:
    base, database_url = service
    before = _stored(database_url)
    if where == "query":
        answer = _apiplex(base, json.dumps(APIPLEX_GOOD), f"?secret={APIPLEX_SECRET}")
    else:
        answer = _apiplex(base, json.dumps(APIPLEX_GOOD), **{"X-Webhook-Secret": APIPLEX_SECRET})
    # API PLEX takes a body holding `code` as received (PROVIDERS.md).
    assert answer.status_code == 200 and "code" in answer.json()
    assert _stored(database_url) == before + 1


def test_the_service_log_holds_no_secret(service, tmp_path_factory) -> None:
    base, _ = service
    _apiplex(base, json.dumps(APIPLEX_GOOD), f"?secret={APIPLEX_SECRET}")
    _apiplex(base, json.dumps(APIPLEX_GOOD), "?secret=wrong-guess")
    logs = [p.read_text() for p in tmp_path_factory.getbasetemp().glob("serve*/serve.log")]
    text = "".join(logs)
    assert "provider=apiplex stored event=" in text and "provider=apiplex from=" in text
    assert APIPLEX_SECRET not in text and "wrong-guess" not in text and SECRET not in text


def test_calls_at_once_are_each_stored_once_and_answered_after_their_commit(service) -> None:
    from bench.loadgen import post_all

    base, database_url = service
    before = _stored(database_url)
    bodies = [json.dumps({"results": [{**RECORD, "messageId": f"c{i}"}]}).encode()
              for i in range(300)]  # fmt: skip
    statuses = post_all(f"{base}/webhooks/apiplex?secret={APIPLEX_SECRET}", {}, bodies, 32)
    assert statuses == [200] * 300
    with get_engine(database_url).connect() as conn:
        stored = [json.loads(b)["results"][0]["messageId"] for b in conn.execute(
            select(InboxEvent.body).where(InboxEvent.provider == "apiplex")).scalars()]  # fmt: skip
    assert _stored(database_url) == before + 300
    assert sorted(m for m in stored if m.startswith("c")) == sorted(f"c{i}" for i in range(300))


def test_a_database_that_fails_gets_503_so_the_provider_delivers_again(tmp_path) -> None:
    missing = "postgresql+psycopg://postgres@127.0.0.1:5432/no_such_database"
    with serving({"BULKSMS_DATABASE_URL": missing}, tmp_path) as base:
        answer = _apiplex(base, json.dumps(APIPLEX_GOOD), f"?secret={APIPLEX_SECRET}")
        assert answer.status_code == 503 and answer.json()["code"] == "503"
    assert "could not be stored" in (tmp_path / "serve.log").read_text()
