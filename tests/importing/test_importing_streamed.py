"""The import commits chunk by chunk so planning can start on the first one: what that means
for a source that breaks half-way, and for suppressed numbers in every chunk."""

from contextlib import nullcontext
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from producer.campaigns import ImportStopped, create_campaign
from producer.sources import ListTable, NumberList
from producer.spec import CampaignSpec
from scripts.simulated import simulated_settings
from worker.db import suppressions
from worker.db.models import Campaign, Recipient
from worker.db.types import utcnow

ROWS = 5_000


def _rows(count: int, start: int = 0) -> str:
    return "".join(f"홍{i},010{start + i:08d},C{i}\n" for i in range(count))


def _campaigns(engine) -> list:
    with engine.connect() as conn:
        query = select(Campaign.id, Campaign.status, Campaign.total_recipients)
        return conn.execute(query.order_by(Campaign.id)).all()


class BreakingTable(ListTable):
    """Numbers that stop with a read error after `fine` of them (a file gone half-way)."""

    def __init__(self, numbers: list[str], fine: int) -> None:
        super().__init__(numbers)
        self.fine = fine

    def records(self, on_problem):
        for index, record in enumerate(super().records(on_problem)):
            if index == self.fine:
                raise OSError(5, "Input/output error")
            yield record


@dataclass(frozen=True)
class BreakingList(NumberList):
    fine: int = 0

    def open(self):
        return nullcontext(BreakingTable(self.numbers, self.fine))


def _create(pg_url: str, fine: int) -> None:
    numbers = [f"010{i:08d}" for i in range(ROWS)]
    spec = CampaignSpec(name="t", sender="0212345678", template="안녕하세요")
    settings = simulated_settings(database_url=pg_url)
    create_campaign(spec, BreakingList(numbers, fine), settings, enqueue=False)


def test_a_source_that_breaks_after_chunks_landed_stops_its_campaign_and_says_so(
    pg_url, engine
) -> None:
    with pytest.raises(ImportStopped) as stopped:
        _create(pg_url, fine=4_500)
    message = str(stopped.value)
    assert "the import stopped at line 4501" in message and "Input/output error" in message
    campaign_id, status, total = _campaigns(engine)[-1]
    assert f"campaign {campaign_id} was stopped after 2,000 recipients were stored" in message
    # The first chunk had landed (and could be sent); it stays, and nothing more is sent.
    assert (status, total) == ("cancelling", 2_000)
    with engine.connect() as conn:
        landed = conn.execute(select(func.count()).where(Recipient.campaign_id == campaign_id))
        assert landed.scalar() == total


def test_a_source_that_breaks_before_anything_landed_stores_nothing(pg_url, engine) -> None:
    before = _campaigns(engine)
    with pytest.raises(OSError, match="Input/output error") as failed:
        _create(pg_url, fine=1_500)
    assert not isinstance(failed.value, ImportStopped)
    assert _campaigns(engine) == before


def test_suppressed_numbers_are_skipped_in_every_chunk(write, run_import, engine) -> None:
    listed = [f"010{i:08d}" for i in (5, 1_999, 2_000, 4_999)]  # first chunk, later chunks
    with engine.begin() as conn:
        suppressions.add_many(
            conn,
            [{"phone": p, "reason": "t", "source": "t", "created_at": utcnow()} for p in listed],
        )
    report = run_import(write(f"이름,전화번호,쿠폰\n{_rows(ROWS)}"))
    assert (report.imported, report.suppressed) == (ROWS, 4)
    with engine.connect() as conn:
        suppressed = conn.execute(
            select(Recipient.phone).where(
                Recipient.campaign_id == report.campaign_id, Recipient.status == "suppressed"
            )
        ).scalars()
        assert sorted(suppressed) == listed
