"""Awkward real-world files: each gives the documented counts and reasons, no good row lost."""

import csv
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from producer.campaigns import NothingImported, SpecError
from producer.sources import NotText, SourceError
from tests.importing.conftest import HEADER, stored
from worker.db.models import Campaign, Recipient


def reasons(report) -> list[tuple[int, str]]:
    return [(error.line, error.reason) for error in report.errors]


def campaign_count(engine) -> tuple[int, int]:
    """Campaign and recipient rows stored."""
    with engine.connect() as conn:
        campaigns = conn.execute(select(func.count()).select_from(Campaign)).scalar_one()
        recipients = conn.execute(select(func.count()).select_from(Recipient)).scalar_one()
    return campaigns, recipients


def test_plain_utf8_imports_every_row(write, run_import, engine):
    path = write(f"{HEADER}\n홍길동,010-1234-5678,A1\n김철수,01098765432,B2\n")
    report = run_import(path)
    assert (report.read, report.imported, report.duplicates, report.rejected) == (2, 2, 0, 0)
    assert (report.encoding, report.delimiter, report.rejects_path) == ("utf-8", ",", None)
    assert stored(engine, report.campaign_id) == [
        ("01012345678", {"이름": "홍길동", "쿠폰": "A1"}, "SMS"),
        ("01098765432", {"이름": "김철수", "쿠폰": "B2"}, "SMS"),
    ]


def test_cp949_is_detected_and_decoded(write, run_import, engine):
    path = write(f"{HEADER}\n홍길동,010-1234-5678,쿠폰가\n똠방각하,010-2222-3333,B\n", "cp949")
    report = run_import(path)
    assert report.encoding == "cp949"
    # '똠' exists in CP949 but not in EUC-KR proper, which SENS counts: refused per row.
    assert (report.read, report.imported, report.rejected) == (2, 1, 1)
    assert reasons(report) == [(3, "character '똠' at position 0 cannot be encoded in EUC-KR")]
    assert stored(engine, report.campaign_id)[0][1] == {"이름": "홍길동", "쿠폰": "쿠폰가"}


def test_utf8_bom_and_crlf(write, run_import, engine):
    path = write(("\ufeff" + f"{HEADER}\r\n홍길동,010-1234-5678,A\r\n"), "utf-8")
    report = run_import(path)
    assert (report.read, report.imported) == (1, 1)
    assert stored(engine, report.campaign_id)[0][1] == {"이름": "홍길동", "쿠폰": "A"}


def test_quoted_newlines_stay_in_their_field(write, run_import, engine):
    path = write(f'{HEADER}\n"홍\n길동",010-1234-5678,A\n김철수,010-2222-3333,"B\r\nC"\n')
    report = run_import(path)
    assert (report.read, report.imported, report.rejected) == (2, 2, 0)
    variables = [row[1] for row in stored(engine, report.campaign_id)]
    assert variables == [{"이름": "홍\n길동", "쿠폰": "A"}, {"이름": "김철수", "쿠폰": "B\r\nC"}]


@pytest.mark.parametrize(("delimiter", "expected"), [(";", ";"), ("\t", "\t")])
def test_semicolons_and_tabs_are_detected(write, run_import, delimiter, expected):
    rows = [HEADER.split(","), ["홍길동", "010-1234-5678", "A,1"]]
    path = write("\n".join(delimiter.join(row) for row in rows) + "\n")
    report = run_import(path)
    assert (report.delimiter, report.read, report.imported) == (expected, 1, 1)


def test_forced_encoding_and_delimiter(write, run_import):
    path = write("이름|전화번호|쿠폰\n홍길동|010-1234-5678|A\n", "cp949")
    report = run_import(path, encoding="euc-kr", delimiter="|")
    assert (report.encoding, report.delimiter, report.imported) == ("cp949", "|", 1)


def test_number_forms(write, run_import, engine):
    forms = [
        "010-1234-5678",
        "+82 10 1234 5679",
        "82-10-1234-5670",
        "０１０－１２３４－５６７１",
        "(010) 1234 5672",
        "010.1234.5673",
    ]
    path = write(HEADER + "\n" + "".join(f"이름,{number},A\n" for number in forms))
    report = run_import(path)
    assert (report.read, report.imported, report.rejected) == (6, 6, 0)
    phones = [row[0] for row in stored(engine, report.campaign_id)]
    assert phones == [f"0101234567{digit}" for digit in (0, 1, 2, 3, 8, 9)]  # by number


def test_bad_numbers_are_rejected_with_reasons(write, run_import):
    numbers = ["02-123-4567", "010-1234-56789", "+1 415 555 0123", "전화없음", ""]
    path = write(HEADER + "\n" + "".join(f"홍,{number},A\n" for number in numbers))
    with pytest.raises(NothingImported) as nothing:  # SENS: Korean numbers only
        run_import(path, spec_fields={"provider": "sens"})
    report = nothing.value.report
    assert (report.read, report.imported, report.rejected) == (5, 0, 5)
    assert reasons(report) == [
        (2, "02-****4567 is not a mobile number"),
        (3, "010*******6789 is not a valid Korean number"),
        (
            4,
            "+1 ********0123 is not a Korean number (+1); "
            "this campaign sends to Korean numbers (+82) only",
        ),
        (5, "**** is not a phone number: only digits, spaces and + - ( ) . may appear"),
        (6, "empty phone number"),
    ]


def test_blank_lines_are_skipped_not_counted(write, run_import):
    path = write(f"\n{HEADER}\n\n홍길동,010-1234-5678,A\n,,\n   \n김철수,010-2222-3333,B\n\n")
    report = run_import(path)
    assert (report.read, report.imported, report.rejected) == (2, 2, 0)


def test_wrong_column_counts(write, run_import, engine):
    body = "홍길동,010-1234-5678,A,extra\n김철수,010-2222-3333\n이영희,010-3333-4444,C,,\n"
    report = run_import(write(f"{HEADER}\n{body}"))
    assert (report.read, report.imported, report.rejected) == (3, 1, 2)
    assert reasons(report) == [
        (2, "expected 3 columns, found 4"),
        (3, "expected 3 columns, found 2"),
    ]
    # Trailing empty cells (as spreadsheets write them) are not an extra column.
    assert stored(engine, report.campaign_id)[0][0] == "01033334444"


def test_duplicates_first_wins(write, run_import, engine):
    body = (
        "첫째,010-1234-5678,A\n둘째,01012345678,B\n셋째,+82 10 1234 5678,C\n넷째,010-9999-0000,D\n"
    )
    report = run_import(write(f"{HEADER}\n{body}"))
    assert (report.read, report.imported, report.duplicates, report.rejected) == (4, 2, 2, 0)
    rows = stored(engine, report.campaign_id)
    assert [(phone, variables["이름"]) for phone, variables, _ in rows] == [
        ("01012345678", "첫째"),
        ("01099990000", "넷째"),
    ]


def test_missing_template_value_is_rejected(write, run_import):
    report = run_import(write(f"{HEADER}\n,010-1234-5678,A\n홍길동,010-2222-3333,B\n"))
    assert (report.imported, report.rejected) == (1, 1)
    assert reasons(report) == [(2, "no value for template variable '이름'")]


def test_template_checked_against_header_before_any_row(write, run_import, engine):
    with pytest.raises(SpecError, match=r"template uses \['등급'\]"):
        run_import(write(f"{HEADER}\n홍길동,010-1234-5678,A\n"), template="{등급} 고객님")
    with engine.connect() as conn:
        assert conn.execute(select(Campaign.id).where(Campaign.name == "never")).first() is None


def test_message_too_long_for_lms(write, run_import):
    long = "가" * 1001
    report = run_import(write(f"{HEADER}\n{long},010-1234-5678,A\n홍,010-2222-3333,B\n"))
    assert reasons(report) == [(2, "content is 2011 bytes in EUC-KR; LMS allows 2000")]
    assert report.imported == 1


def test_empty_file_is_an_error(write, run_import):
    with pytest.raises(SourceError, match="the file is empty; expected a header row"):
        run_import(write(b""))


def test_header_alone_stores_no_campaign(write, run_import, engine):
    before = campaign_count(engine)
    path = write(f"{HEADER}\n\n,,\n")
    with pytest.raises(NothingImported) as nothing:
        run_import(path)
    assert str(nothing.value) == f"{path} holds no rows after its header"
    assert (nothing.value.report.read, nothing.value.report.campaign_id) == (0, 0)
    assert campaign_count(engine) == before


def test_every_row_rejected_stores_no_campaign(write, run_import, engine, tmp_path):
    before = campaign_count(engine)
    path = write(f"{HEADER}\n홍,02-123-4567,A\n김,010-1,B\n이,,C\n")
    with pytest.raises(NothingImported) as nothing:
        run_import(path)
    assert str(nothing.value) == (
        f"{path}: no recipient could be imported (3 rows rejected: line 2: 02-****4567 is not "
        f"a mobile number); every rejected row is in {tmp_path / 'rejects.csv'}"
    )
    assert isinstance(nothing.value, SpecError)
    assert campaign_count(engine) == before


def test_no_phone_column_is_an_error(write, run_import):
    with pytest.raises(SourceError, match="no phone column among"):
        run_import(write("이름,쿠폰\n홍길동,A\n"))


def test_binary_garbage_is_an_error(write, run_import, engine):
    before = campaign_count(engine)
    garbage = bytes(range(256)) * 64
    path = write(b"\x89PNG\r\n\x1a\n\x00\x00" + garbage)
    with pytest.raises(NotText) as refused:
        run_import(path)
    assert str(refused.value) == f"{path} is not a text file (it looks like a PNG image)"
    assert isinstance(refused.value, SpecError)
    with pytest.raises(NotText, match=r"is not a text file \(it is neither UTF-8 nor CP949"):
        run_import(write(b"phone\n" + garbage))
    assert campaign_count(engine) == before


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "an Excel workbook (.xlsx) or another ZIP archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls)"),
        (b"%PDF-1.4\n", "a PDF document"),
        (b"\xff\xd8\xff\xe0", "a JPEG image"),
    ],
)
def test_files_of_other_formats_are_named(write, run_import, head, kind):
    with pytest.raises(NotText, match=re.escape(f"is not a text file (it looks like {kind}")):
        run_import(write(head + b"phone\n01012345678\n"))


def test_utf16_is_refused_with_advice(write, run_import):
    with pytest.raises(SourceError, match="UTF-16"):
        run_import(write(f"{HEADER}\n", "utf-16"))


def test_undecodable_and_nul_rows_are_rejected(write, run_import, tmp_path):
    content = (
        f"{HEADER}\n홍길동,010-1111-2222,A\n".encode()
        + "김철수,010-3333-4444,B\n".encode("cp949")
        + b"ab\x00c,010-5555-6666,C\n"
        + "이영희,010-7777-8888,D\n".encode()
    )
    report = run_import(write(content))
    assert (report.encoding, report.read, report.imported, report.rejected) == ("utf-8", 4, 2, 2)
    assert reasons(report) == [
        (3, "undecodable bytes (not valid utf-8)"),
        (4, "contains a NUL byte (binary data?)"),
    ]
    # Bytes that happen to form UTF-8 ("\xc3\xb6" is "ö") show as such; the others as \xNN.
    assert report.errors[0].raw == "\\xb1\\xe8ö\\xbc\\xf6,010-3333-4444,B"


def test_a_50_mb_line_is_rejected_and_later_rows_import(write, run_import, tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.write(f"{HEADER}\n홍길동,010-1111-2222,A\n".encode())
        handle.write(b"x" * (50 * 1024 * 1024) + b"\n")
        handle.write("김철수,010-3333-4444,B\n".encode())
    report = run_import(path)
    assert (report.read, report.imported, report.rejected) == (3, 2, 1)
    assert reasons(report) == [
        (3, "line is 52,428,801 bytes long; a row may take at most 1,048,576 bytes")
    ]
    assert report.errors[0].raw == "x" * 200 + "…"


def test_a_huge_quoted_field_is_rejected_and_later_rows_import(write, run_import):
    field = "y" * 200_000
    report = run_import(write(f'{HEADER}\n"{field}",010-1111-2222,A\n김철수,010-3333-4444,B\n'))
    assert (report.read, report.imported, report.rejected) == (2, 1, 1)
    assert reasons(report) == [(2, "malformed CSV: field larger than field limit (131072)")]


def test_rejects_file(write, run_import, tmp_path):
    path = write(f"{HEADER}\n홍길동,02-123-4567,A\n=cmd,010-1234-5678,B,x\n")
    with pytest.raises(NothingImported) as nothing:
        run_import(path)
    report = nothing.value.report
    assert report.rejects_path == tmp_path / "rejects.csv"
    raw = report.rejects_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows == [
        ["line", "raw", "reason"],
        ["2", "홍길동,02-123-4567,A", "02-****4567 is not a mobile number"],
        ["3", "'=cmd,010-1234-5678,B,x", "expected 3 columns, found 4"],
    ]


def test_no_rejects_file_without_rejects(write, run_import, tmp_path: Path):
    report = run_import(write(f"{HEADER}\n홍길동,010-1234-5678,A\n"))
    assert report.rejects_path is None
    assert not (tmp_path / "rejects.csv").exists()


def test_a_reject_after_quoted_newlines_and_blank_lines_names_its_physical_line(write, run_import):
    rows = [
        HEADER,  # line 1
        '"홍\n길\n동",010-1234-5678,A',  # lines 2-4: one record over three lines
        "",  # line 5
        "김,02-123-4567,B",  # line 6: not a mobile number
        "",  # line 7
        "",  # line 8
        '"이\n영희",010-9,"C\nD"',  # lines 9-11: rejected, reported at its first line
        "박,010-2222-3333,E",  # line 12
        '최,"010-3333\n-4444",F,extra',  # lines 13-14: too wide
    ]
    report = run_import(write("\n".join(rows) + "\n"))
    assert (report.read, report.imported, report.rejected) == (5, 2, 3)
    assert reasons(report) == [
        (6, "02-****4567 is not a mobile number"),
        (9, "***-9 is not a valid Korean number"),
        (13, "expected 3 columns, found 4"),
    ]


def test_crlf_lines_and_quoted_crlf_count_as_one_line_each(write, run_import):
    rows = [HEADER, '"a\r\nb",010-1234-5678,A', "", "홍,02-123-4567,B", "김,010-3333-4444,C"]
    report = run_import(write("\r\n".join(rows) + "\r\n"))
    assert (report.imported, report.rejected) == (2, 1)
    assert reasons(report) == [(5, "02-****4567 is not a mobile number")]
