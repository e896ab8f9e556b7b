"""Results export: CSV or Excel, numbers as text, Korea times, messages as sent."""

import csv
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, update
from typer.testing import CliRunner

from producer.cells import Verbatim, excel_text, safe_cell
from producer.cli import app
from producer.export import COLUMNS, UnknownFormat, export_results, format_of
from producer.report import UnknownCampaign
from producer.xlsx_sheet import KOREA_FORMAT
from tests.envvars import settings_env
from tests.importing.conftest import HEADER
from worker.db.models import Batch, Recipient

DONE = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)  # 12:04:05 in Korea
FORMULA = '=HYPERLINK("http://x")'


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


def test_numbers_are_written_as_excel_text():
    assert excel_text(Verbatim("01012345678")) == '="01012345678"'
    assert excel_text(Verbatim("+819012345678")) == '="+819012345678"'


@pytest.fixture()
def exported(write, run_import, engine) -> int:
    """Two recipients; the first went out in a SENS batch and was delivered."""
    body = (
        f'홍길동,010-1111-2222,"{FORMULA.replace(chr(34), chr(34) * 2)}"\n김철수,010-3333-4444,B\n'
    )
    report = run_import(write(f"{HEADER}\n{body}"))
    with engine.begin() as conn:
        batch_id = conn.execute(
            insert(Batch)
            .values(campaign_id=report.campaign_id, provider="sens", message_type="SMS",
                    status="completed", recipient_count=1, sent_at=DONE, created_at=DONE)
            .returning(Batch.id)
        ).scalar_one()  # fmt: skip
        conn.execute(
            update(Recipient)
            .where(Recipient.campaign_id == report.campaign_id, Recipient.phone == "01011112222")
            .values(status="delivered", result_code="0", result_outcome="delivered", attempts=1,
                    batch_id=batch_id, completed_at=DONE)
        )  # fmt: skip
    return report.campaign_id


def test_the_csv_lists_every_recipient(engine, tmp_path, exported):
    out = tmp_path / "results.csv"
    assert export_results(engine, exported, out) == 2
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    korea = "2026-01-02T12:04:05+09:00"
    assert rows == [
        [*COLUMNS, "이름", "쿠폰"],
        ['="01011112222"', "delivered", "SMS", "sens", "0", "Succeeded", "delivered", "1",
         korea, korea, f"홍길동님 쿠폰 {FORMULA}", "홍길동", f"'{FORMULA}"],
        ['="01033334444"', "pending", "SMS", "", "", "", "", "0", "", "", "김철수님 쿠폰 B",
         "김철수", "B"],
    ]  # fmt: skip


def test_the_workbook_keeps_text_as_text_and_times_in_korea(engine, tmp_path, exported):
    out = tmp_path / "results.xlsx"
    assert export_results(engine, exported, out) == 2
    sheet = load_workbook(out)["recipients"]
    header, first, second = sheet.iter_rows()
    assert [cell.value for cell in header] == [*COLUMNS, "이름", "쿠폰"]
    assert [cell.value for cell in first] == [
        "01011112222", "delivered", "SMS", "sens", "0", "Succeeded", "delivered", 1,
        datetime(2026, 1, 2, 12, 4, 5), datetime(2026, 1, 2, 12, 4, 5),
        f"홍길동님 쿠폰 {FORMULA}", "홍길동", FORMULA,
    ]  # fmt: skip
    assert {cell.data_type for cell in first if isinstance(cell.value, str)} == {"s"}
    assert first[8].number_format == KOREA_FORMAT
    assert [cell.value for cell in second][:3] == ["01033334444", "pending", "SMS"]
    assert second[8].value is None


def test_the_format_comes_from_the_option_or_the_suffix(tmp_path):
    assert format_of(tmp_path / "r.xlsx") == "xlsx"
    assert format_of(tmp_path / "r.csv") == "csv"
    assert format_of(tmp_path / "r.txt") == "csv"
    assert format_of(tmp_path / "r.csv", "XLSX") == "xlsx"
    with pytest.raises(UnknownFormat, match="--format 'ods': choose csv or xlsx"):
        format_of(tmp_path / "r.csv", "ods")


def test_the_command_writes_a_workbook(pg_url, tmp_path, exported):
    out = tmp_path / "out.data"
    with settings_env({"BULKSMS_DATABASE_URL": pg_url}):
        args = ["campaign", "export", str(exported), "--out", str(out)]
        result = CliRunner().invoke(app, [*args, "--format", "xlsx"])
        refused = CliRunner().invoke(app, [*args, "--format", "ods"])
    assert result.exit_code == 0, result.output
    with out.open("rb") as handle:
        assert load_workbook(handle)["recipients"].max_row == 3
    assert refused.exit_code == 2
    assert " ".join(refused.output.split()) == "error: --format 'ods': choose csv or xlsx"


def test_a_large_campaign_streams_into_a_workbook(write, run_import, engine, tmp_path):
    rows = "".join(f"이름{n},010{n:08d},C{n}\n" for n in range(20_000))
    report = run_import(write(f"{HEADER}\n{rows}"))
    out = tmp_path / "large.xlsx"
    assert export_results(engine, report.campaign_id, out) == 20_000
    sheet = load_workbook(out, read_only=True)["recipients"]
    assert sum(1 for _ in sheet.iter_rows(values_only=True)) == 20_001


def test_export_of_unknown_campaign(engine, tmp_path):
    with pytest.raises(UnknownCampaign):
        export_results(engine, 999_999, tmp_path / "x.csv")
