"""A campaign through the HTTP API with real workers, beat and the simulators: a CSV uploaded
with a key, watched to completion over HTTP, then exported."""

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from producer.apikeys import create_key
from tests.integration.conftest import Stack, own_stack, wait_until

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/3"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with own_stack(tmp_path_factory.mktemp("stack-api"), REDIS_URL) as running:
        yield running


def test_a_csv_uploaded_over_the_api_is_sent_watched_and_exported(
    stack: Stack, tmp_path: Path
) -> None:
    key = create_key(stack.engine, "integration")
    auth = {"Authorization": f"Bearer {key}"}
    path = tmp_path / "list.csv"
    rows = [f"010-5{i:03d}-{i:04d},고객{i}" for i in range(300)]
    path.write_text("휴대폰,name\n" + "\n".join(rows) + "\n02-123-4567,집\n", encoding="utf-8")
    spec = {"name": "api", "sender": "0212345678", "template": "{name}님 안내", "provider": "sens"}
    with path.open("rb") as handle:
        created = requests.post(f"{stack.serve_url}/api/v1/campaigns/upload", headers=auth,
                                data={"spec": json.dumps(spec)}, files={"file": handle},
                                timeout=60)  # fmt: skip
    assert created.status_code == 201, created.text
    assert (created.json()["imported"], created.json()["rejected"]) == (300, 1)
    campaign = created.json()["campaign_id"]
    url = f"{stack.serve_url}/api/v1/campaigns/{campaign}"

    def finished() -> bool:
        return requests.get(url, headers=auth, timeout=10).json()["status"] == "completed"

    assert wait_until(finished, 90), stack.logs()
    shown = requests.get(url, headers=auth, timeout=10).json()
    assert shown["final"] == 300 and shown["by_status"]["delivered"] > 0
    exported = requests.get(f"{url}/export", headers=auth, timeout=30)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(table) == 300
