"""Fixtures for import tests: a campaign importer over files the tests write."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from producer.campaigns import ImportReport, create_campaign
from producer.sources import CsvSource
from producer.spec import CampaignSpec
from scripts.simulated import simulated_settings
from tests.conftest import fresh_schema
from worker.db.engine import get_engine
from worker.db.models import Recipient

HEADER = "이름,전화번호,쿠폰"


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """A schema per module, never the integration stack's: the campaigns imported here are
    left queued, and a running stack's beat would plan and send them."""
    with fresh_schema() as url:
        yield url


@pytest.fixture()
def engine(pg_url: str) -> Engine:
    """The engine of this module's schema."""
    return get_engine(pg_url)


@pytest.fixture()
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write bytes or text (in an encoding) to a file in tmp_path; returns its path."""

    def make(content: str | bytes, encoding: str = "utf-8", name: str = "list.csv") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return make


@pytest.fixture()
def run_import(pg_url: str, tmp_path: Path) -> Callable[..., ImportReport]:
    """Import a CSV into a new campaign (not enqueued), rejects beside it."""

    def run(
        path: Path, template: str = "{이름}님 쿠폰 {쿠폰}", spec_fields: dict | None = None,
        **source: str,
    ) -> ImportReport:  # fmt: skip
        fields = {"name": "t", "sender": "0212345678", "template": template, **(spec_fields or {})}
        spec = CampaignSpec(**fields)
        settings = simulated_settings(database_url=pg_url)
        rejects = tmp_path / "rejects.csv"
        return create_campaign(
            spec, CsvSource(path, **source), settings, enqueue=False, rejects=rejects
        )

    return run


def stored(engine: Engine, campaign_id: int) -> list[tuple[str, dict[str, str] | None, str]]:
    """(phone, variables, message_type) of a campaign's recipients, by number.

    The PostgreSQL loader inserts each chunk in number order (worker/db/bulk.py), so ids
    follow numbers, not file lines; tests compare by number.
    """
    query = (
        select(Recipient.phone, Recipient.variables, Recipient.message_type)
        .where(Recipient.campaign_id == campaign_id)
        .order_by(Recipient.phone)
    )
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]
