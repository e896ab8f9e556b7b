"""A file with more columns than json_build_object takes, and listed numbers, on both loaders."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from producer.campaigns import create_campaign
from producer.sources import CsvSource
from producer.spec import CampaignSpec
from scripts.simulated import simulated_settings
from tests.importing.conftest import stored
from worker.db import migrate, suppressions
from worker.db.engine import get_engine
from worker.db.models import Recipient

# 60 variables: past the 50 pairs json_build_object can take (worker/db/bulk.py).
NAMES = ["이름", *(f"v{i:02d}" for i in range(1, 60))]
LISTED = "01099998888"


def _file(write) -> Path:
    lines = [",".join(["전화번호", *NAMES])]
    for phone in ("01011112222", LISTED, "01033334444"):
        lines.append(",".join([phone, *(f"{name}-{phone[-4:]}" for name in NAMES)]))
    return write("\n".join(lines) + "\n")


@pytest.fixture(params=["postgresql", "sqlite"])
def database(request, pg_url: str, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return pg_url
    url = f"sqlite:///{tmp_path / 'bulksms.db'}"
    migrate.upgrade(url)
    return url


def test_sixty_columns_and_a_listed_number_land_whole(database: str, write) -> None:
    with get_engine(database).begin() as conn:
        listed = {"phone": LISTED, "reason": "opt-out", "source": "cli",
                  "created_at": datetime.now(UTC)}  # fmt: skip
        suppressions.add_many(conn, [listed])
    spec = CampaignSpec(name="t", sender="0212345678", template="{이름}님 {v59}")
    settings = simulated_settings(database_url=database)
    report = create_campaign(spec, CsvSource(_file(write)), settings, enqueue=False)
    assert (report.imported, report.suppressed) == (3, 1)
    rows = stored(get_engine(database), report.campaign_id)
    assert [phone for phone, _, _ in rows] == ["01011112222", "01033334444", LISTED]
    for phone, variables, kind in rows:
        assert variables == {name: f"{name}-{phone[-4:]}" for name in NAMES}
        assert kind == "SMS"
    with get_engine(database).connect() as conn:
        query = select(
            Recipient.phone, Recipient.status, Recipient.result_outcome, Recipient.completed_at
        ).where(Recipient.campaign_id == report.campaign_id)
        states = {row.phone: row for row in conn.execute(query)}  # fmt: skip
    assert (states[LISTED].status, states[LISTED].result_outcome) == ("suppressed", "suppressed")
    assert states[LISTED].completed_at is not None
    assert {states[p].status for p in ("01011112222", "01033334444")} == {"pending"}


@pytest.mark.parametrize("count", [1, 50, 51])
def test_either_side_of_json_build_objects_limit_lands_whole(count: int, pg_url: str, write):
    # 50 pairs are json_build_object's 100 arguments; from 51 the other form must be used.
    names = [f"v{i:02d}" for i in range(count)]
    lines = [",".join(["전화번호", *names]), ",".join(["01011112222", *(f"{n}-x" for n in names)])]
    spec = CampaignSpec(name="t", sender="0212345678", template="{v00}")
    settings = simulated_settings(database_url=pg_url)
    path = write("\n".join(lines) + "\n")
    report = create_campaign(spec, CsvSource(path), settings, enqueue=False)
    [(_, variables, _)] = stored(get_engine(pg_url), report.campaign_id)
    assert variables == {name: f"{name}-x" for name in names}
