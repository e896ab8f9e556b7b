"""Numbers of other countries: read with phonenumbers in a row's country or the campaign's
default, stored in E.164, typed INTL (sized in parts); refused where no provider reaches them."""

import pytest

from producer.campaigns import NothingImported, SpecError
from producer.report import campaign_report
from producer.views import parts_line
from tests.importing.conftest import stored


def reasons(report) -> list[tuple[int, str]]:
    return [(error.line, error.reason) for error in report.errors]


def test_korean_and_foreign_numbers_land_side_by_side(write, run_import, engine):
    rows = ["010-1234-5678", "+81 90-1234-5678", "+1 (415) 555-0123", "+44 7911 123456"]
    path = write("phone\n" + "".join(f"{row}\n" for row in rows))
    report = run_import(path, template="Your code is 1234")
    assert (report.imported, report.rejected) == (4, 0)
    assert sorted((phone, kind) for phone, _, kind in stored(engine, report.campaign_id)) == [
        ("+14155550123", "INTL"),
        ("+447911123456", "INTL"),
        ("+819012345678", "INTL"),
        ("01012345678", "SMS"),
    ]


def test_a_country_column_reads_numbers_written_without_their_code(write, run_import, engine):
    path = write("phone,country\n090-1234-5678,JP\n07911 123456,44\n010-1111-2222,\n")
    report = run_import(path, template="hi", spec_fields={"country_column": "country"})
    assert report.rejected == 0
    phones = sorted(phone for phone, _, _ in stored(engine, report.campaign_id))
    assert phones == ["+447911123456", "+819012345678", "01011112222"]


def test_the_default_country_reads_every_number_without_a_plus(write, run_import, engine):
    path = write("phone\n090-1234-5678\n+82 10-1111-2222\n")
    report = run_import(path, template="hi", spec_fields={"default_country": "JP"})
    phones = sorted(phone for phone, _, _ in stored(engine, report.campaign_id))
    assert phones == ["+819012345678", "01011112222"]


def test_bad_country_cells_and_korean_numbers_abroad_only_are_refused_by_line(write, run_import):
    path = write("phone,country\n090-1234-5678,XX\n010-1234-5678,\n+81 90-1234-5678,\n")
    fields = {"country_column": "country", "provider": "apiplex"}
    report = run_import(path, template="hi", spec_fields=fields)
    assert (report.imported, report.rejected) == (1, 2)
    assert reasons(report) == [
        (2, "country 'XX' is neither a region code (JP) nor a calling code (81)"),
        (3, "010******5678 is a Korean number; this campaign sends abroad only"),
    ]


def test_an_international_sms_is_sized_in_parts_and_takes_no_korean_long_types(write, run_import):
    path = write("phone,text\n+81 90-1234-5678,short\n+81 90-1234-5679," + "한" * 700 + "\n")
    report = run_import(path, template="{text}")
    assert reasons(report) == [
        (3, "content takes 11 UCS-2 parts (700 characters); "
            "an international SMS allows at most 10"),
    ]  # fmt: skip
    with pytest.raises(NothingImported) as declared:
        run_import(path, template="{text}", spec_fields={"message_type": "LMS"})
    assert reasons(declared.value.report)[0] == (
        2,
        "LMS goes to Korean numbers only; abroad an SMS is sent",
    )


def test_countries_no_provider_reaches_or_a_missing_column_store_nothing(write, run_import):
    path = write("phone\n090-1234-5678\n")
    with pytest.raises(SpecError, match="no provider of this campaign sends abroad"):
        run_import(path, "hi", spec_fields={"default_country": "JP", "provider": "sens"})
    with pytest.raises(SpecError, match="no column 'nation'"):
        run_import(path, "hi", spec_fields={"country_column": "nation"})


def test_the_parts_messages_abroad_take_are_counted_once_the_import_ends(write, run_import, engine):
    rows = ["+81 90-1234-5678,short", "+1 415 555 0123," + "a" * 200, "010-1234-5678,짧은"]
    path = write("phone,text\n" + "".join(f"{row}\n" for row in rows))
    report = run_import(path, template="{text}")
    assert (report.abroad, report.abroad_parts) == (2, 3)  # 1 part + 2 parts of 153
    fixed = run_import(path, template="€" * 100)  # extension characters: two septets each
    assert (fixed.abroad, fixed.abroad_parts) == (2, 4)
    shown = campaign_report(engine, report.campaign_id)
    assert (shown.abroad_recipients, shown.abroad_parts) == (2, 3)
    assert parts_line(2, 3) == "abroad: 2 recipients, 3 SMS parts (1.5 each)"
