"""The same import on SQLite: executemany in one transaction, first number wins."""

from pathlib import Path

from producer.campaigns import create_campaign
from producer.sources import CsvSource, NumberList
from producer.spec import CampaignSpec
from scripts.simulated import simulated_settings
from tests.importing.conftest import HEADER, stored
from worker.db import migrate
from worker.db.engine import get_engine


def test_sqlite_import(tmp_path: Path, write):
    url = f"sqlite:///{tmp_path / 'bulksms.db'}"
    migrate.upgrade(url)
    body = (
        "홍길동,010-1111-2222,A\n둘째,01011112222,B\n김철수,02-123-4567,C\n이영희,010-3333-4444,\n"
    )
    spec = CampaignSpec(name="t", sender="0212345678", template="{이름}님")
    report = create_campaign(
        spec,
        CsvSource(write(f"{HEADER}\n{body}")),
        simulated_settings(database_url=url),
        enqueue=False,
    )
    assert (report.read, report.imported, report.duplicates, report.rejected) == (4, 2, 1, 1)
    assert stored(get_engine(url), report.campaign_id) == [
        ("01011112222", {"이름": "홍길동", "쿠폰": "A"}, "SMS"),
        ("01033334444", {"이름": "이영희", "쿠폰": ""}, "SMS"),
    ]
    listed = create_campaign(
        spec.model_copy(update={"template": "hi"}),
        NumberList(["010-5555-6666", "bad"]),
        simulated_settings(database_url=url),
        enqueue=False,
    )
    assert (listed.read, listed.imported, listed.rejected) == (2, 1, 1)
    assert stored(get_engine(url), listed.campaign_id) == [("01055556666", None, "SMS")]


def test_sqlite_idempotency_key(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'bulksms.db'}"
    migrate.upgrade(url)
    spec = CampaignSpec(name="t", sender="0212345678", template="hi", idempotency_key="k-1")
    settings = simulated_settings(database_url=url)
    first = create_campaign(spec, NumberList(["010-5555-6666"]), settings, enqueue=False)
    again = create_campaign(spec, NumberList(["010-5555-7777"]), settings, enqueue=False)
    assert (again.campaign_id, again.existing, again.imported) == (first.campaign_id, True, 1)
    assert stored(get_engine(url), first.campaign_id) == [("01055556666", None, "SMS")]
