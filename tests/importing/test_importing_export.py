"""Results export: every recipient, UTF-8 with BOM, code titles, safe from formula injection."""

import csv
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, update

from producer.cells import safe_cell
from producer.export import COLUMNS, export_results
from producer.report import UnknownCampaign
from tests.importing.conftest import HEADER
from worker.db.models import Batch, Recipient

DONE = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+821012345678", "'+821012345678"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("01012345678", "01012345678"),
        ("홍길동", "홍길동"),
        ("a=b", "a=b"),
        (3, 3),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_export_lists_every_recipient(write, run_import, engine, tmp_path):
    body = '홍길동,010-1111-2222,"=HYPERLINK(""http://x"")"\n김철수,010-3333-4444,B\n'
    report = run_import(write(f"{HEADER}\n{body}"))
    with engine.begin() as conn:  # the first number went out in a batch and was delivered
        batch_id = conn.execute(
            insert(Batch)
            .values(campaign_id=report.campaign_id, provider="sens", message_type="SMS",
                    status="completed", recipient_count=1, sent_at=DONE, created_at=DONE)
            .returning(Batch.id)
        ).scalar_one()  # fmt: skip
        conn.execute(
            update(Recipient)
            .where(Recipient.campaign_id == report.campaign_id, Recipient.phone == "01011112222")
            .values(
                status="delivered",
                result_code="0",
                result_outcome="delivered",
                attempts=1,
                batch_id=batch_id,
                completed_at=DONE,
            )
        )
    out = tmp_path / "results.csv"
    assert export_results(engine, report.campaign_id, out) == 2
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows == [
        [*COLUMNS, "이름", "쿠폰"],
        [
            "01011112222",
            "delivered",
            "SMS",
            "sens",
            "0",
            "Succeeded",
            "delivered",
            "1",
            "2026-01-02T03:04:05+00:00",
            "2026-01-02T03:04:05+00:00",
            "홍길동",
            '\'=HYPERLINK("http://x")',
        ],
        ["01033334444", "pending", "SMS", "", "", "", "", "0", "", "", "김철수", "B"],
    ]


def test_export_of_unknown_campaign(engine, tmp_path):
    with pytest.raises(UnknownCampaign):
        export_results(engine, 999_999, tmp_path / "x.csv")
