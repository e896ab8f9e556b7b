"""The NHN and API PLEX catalogues against every code table of seeds 000, 001 and 002."""

import re

import pytest
from seedparse import TABLES, SeedRow, table_rows

from worker.domain.codes import ResultCode, catalogue_rows, families, lookup

# How many rows each table lists, written out, so a parser that finds nothing cannot pass.
# NHN's API table lists -2044..-2047 twice (Send/Query and Template): 90 rows, 86 codes.
ROW_COUNTS = {
    ("apiplex", "status_group"): 5,
    ("apiplex", "result"): 30,
    ("apiplex", "service_error_group"): 4,
    ("apiplex", "service_error"): 141,
    ("nhn", "api"): 90,
    ("nhn", "reception"): 38,
    ("nhn", "dlr_status"): 7,
    ("nhn", "dlr_error"): 24,
    ("nhn", "mtr"): 5,
}
# A few codes per table, from reading the documents, that the parsers must find.
ANCHORS = {
    ("apiplex", "status_group"): {"1", "5"},
    ("apiplex", "result"): {"G410", "G430", "2", "29", "51", "52"},
    ("apiplex", "service_error_group"): {"0", "3"},
    ("apiplex", "service_error"): {"0", "1", "4102", "2048", "5005"},
    ("nhn", "api"): {"0", "4", "-1000", "-2044", "-6001", "-9999", "-7002"},
    ("nhn", "reception"): {"1000", "1019", "3019", "E911", "E999"},
    ("nhn", "dlr_status"): {"DELIVERED", "ACCEPTED", "BUFFERED", "UNKNOWN"},
    ("nhn", "dlr_error"): {"0", "2", "99", "1000"},
    ("nhn", "mtr"): {"MTR1", "MTR2", "MTR2_1", "MTR2_2", "MTR2_3"},
}
TABLE_KEYS = sorted(TABLES)


def _catalogued(provider: str, family: str) -> dict[str, ResultCode]:
    return {row.code: row for row in catalogue_rows(provider) if row.family == family}


@pytest.mark.parametrize("table", TABLE_KEYS, ids="/".join)
def test_parser_reads_the_whole_table(table: tuple[str, str]) -> None:
    rows = table_rows(*table)
    assert len(rows) == ROW_COUNTS[table]
    assert ANCHORS[table] <= {row.code for row in rows}


@pytest.mark.parametrize("table", TABLE_KEYS, ids="/".join)
def test_every_seed_code_is_catalogued_in_its_family(table: tuple[str, str]) -> None:
    provider, family = table
    known = _catalogued(provider, family)
    missing = sorted({row.code for row in table_rows(*table)} - set(known))
    assert not missing, f"{provider}/{family} codes missing from data/{provider}.csv: {missing}"


@pytest.mark.parametrize("table", TABLE_KEYS, ids="/".join)
def test_catalogue_has_no_codes_beyond_the_seed_table(table: tuple[str, str]) -> None:
    provider, family = table
    extra = set(_catalogued(provider, family)) - {row.code for row in table_rows(*table)}
    assert not extra, f"{provider}/{family} rows not in the seed: {sorted(extra)}"


# Families documented outside the seeds: NHN's msgStatus 0-7 (API v3.0 guide; PROVIDERS.md).
DOC_FAMILIES = {"nhn": {"msg_status"}, "apiplex": set()}


@pytest.mark.parametrize("provider", ["nhn", "apiplex"])
def test_every_family_comes_from_a_seed_table_or_the_provider_guide(provider: str) -> None:
    seeded = {f for p, f in TABLES if p == provider}
    assert seeded | DOC_FAMILIES[provider] == set(families(provider))
    assert not seeded & DOC_FAMILIES[provider]


def test_msg_status_family_holds_the_guides_eight_statuses() -> None:
    rows = {
        row.code: row.outcome.value for row in catalogue_rows("nhn") if row.family == "msg_status"
    }
    assert rows == {
        "0": "failed",
        "1": "pending",
        "2": "pending",
        "3": "delivered",
        "4": "failed",
        "5": "failed",
        "6": "failed",
        "7": "pending",
    }


def _title_and_description(table: tuple[str, str], seed: SeedRow) -> tuple[str, str]:
    """What the catalogue row should start its title and description with."""
    cells = seed.cells
    if table[1] in {"status_group", "service_error_group"}:
        return cells["groupName"], cells["description"]
    if table == ("apiplex", "result") and not cells["group id"]:
        return cells["description"], "API PLEX gateway code"
    if table[0] == "apiplex":
        return cells["title"], cells["description"]
    if table[1] == "dlr_status":
        return seed.code.capitalize(), cells["text"]
    if table[1] in {"reception", "mtr"}:
        return cells["text"], ""
    return "", ""  # api and dlr_error run title and text together: checked below


@pytest.mark.parametrize("table", TABLE_KEYS, ids="/".join)
def test_titles_and_descriptions_follow_the_seed(table: tuple[str, str]) -> None:
    known = _catalogued(*table)
    wrong = {}
    for seed in table_rows(*table):
        row = known[seed.code]
        title, description = _title_and_description(table, seed)
        if (title and row.title != title) or not row.description.startswith(description):
            wrong[seed.code] = (row.title, row.description, title, description)
    assert not wrong, f"(catalogue title, description, seed title, description): {wrong}"


@pytest.mark.parametrize("family", ["api", "dlr_error"])
def test_run_together_rows_split_into_title_and_text(family: str) -> None:
    # 002 has no delimiter between these columns: the row must read "<title> <rest>".
    known = _catalogued("nhn", family)
    wrong = {
        seed.code: (known[seed.code].title, seed.cells["text"])
        for seed in table_rows("nhn", family)
        if not re.fullmatch(re.escape(known[seed.code].title) + r"( .*)?", seed.cells["text"])
    }
    assert not wrong, f"(catalogue title, seed row text): {wrong}"


def test_dlr_error_description_is_the_notes_column() -> None:
    known = _catalogued("nhn", "dlr_error")
    for seed in table_rows("nhn", "dlr_error"):
        row = known[seed.code]
        assert seed.cells["text"] == f"{row.title} {row.description}"


def test_api_description_keeps_every_area_and_the_api_message() -> None:
    known = _catalogued("nhn", "api")
    for seed in table_rows("nhn", "api"):
        row = known[seed.code]
        message = seed.cells["text"][len(row.title) :].strip()
        assert seed.cells["area"] in row.description, (seed.code, seed.cells["area"])
        assert row.description.endswith(message), (seed.code, message)


@pytest.mark.parametrize("code", ["-2044", "-2045", "-2046", "-2047"])
def test_codes_listed_in_two_areas_keep_one_row_with_both(code: str) -> None:
    rows = [row for row in catalogue_rows("nhn") if row.family == "api" and row.code == code]
    assert len(rows) == 1
    assert "Send/Query" in rows[0].description
    assert "Template" in rows[0].description


def test_api_success_flag_matches_the_seed() -> None:
    # "true" only for 0; the catalogue never calls a request-level code delivered.
    flags = {seed.code: seed.cells["ok"] for seed in table_rows("nhn", "api")}
    assert {code for code, ok in flags.items() if ok == "true"} == {"0"}
    assert lookup("nhn", "0", family="api").outcome.value == "pending"


def test_reception_description_names_the_seed_category() -> None:
    known = _catalogued("nhn", "reception")
    for seed in table_rows("nhn", "reception"):
        assert known[seed.code].description.startswith(seed.cells["category"])


def test_service_error_description_names_its_groups() -> None:
    known = _catalogued("apiplex", "service_error")
    for seed in table_rows("apiplex", "service_error"):
        for group in seed.cells["group id"].split(","):
            assert f"{group.strip()} " in known[seed.code].description.split("[")[1]


def test_result_description_names_its_status_group() -> None:
    known = _catalogued("apiplex", "result")
    groups = {seed.code: seed.cells["groupName"] for seed in table_rows("apiplex", "status_group")}
    for seed in table_rows("apiplex", "result"):
        group = seed.cells["group id"]
        if group:
            assert f"[status group {group} {groups[group]}]" in known[seed.code].description


def test_charged_flags_equal_the_seed() -> None:
    known = _catalogued("apiplex", "result")
    expected = {seed.code: seed.cells["Charged"] == "Y" for seed in table_rows("apiplex", "result")}
    assert {code: known[code].charged for code in expected} == expected


def test_only_api_plex_result_codes_carry_a_charged_flag() -> None:
    for provider in ("sens", "nhn", "apiplex"):
        for row in catalogue_rows(provider):
            is_result = (provider, row.family) == ("apiplex", "result")
            assert (row.charged is not None) == is_result, (provider, row.family, row.code)
