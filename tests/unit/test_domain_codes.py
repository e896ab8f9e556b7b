"""The SENS result-code catalogue against the code tables of the seed documents."""

import logging
import re

import pytest
from seedparse import SEED_003, SEED_004, sens_seed_codes

from worker.domain.codes import (
    FAMILIES,
    PROVIDERS,
    UNKNOWN_TITLE,
    CatalogueError,
    Outcome,
    ResultCode,
    catalogue,
    catalogue_rows,
    describe,
    families,
    lookup,
    matches,
    parse_rows,
)

# What the tables list, written out, so a parser that finds nothing cannot pass.
EXPECTED = {
    "report": {"0", *map(str, range(2000, 2008)), *map(str, range(3000, 3020)), "3022", "3023"},
    "response": {
        *map(str, range(1001, 1021)),
        *(f"S{n:03d}" for n in range(13)),
        "S998",
        "S999",
    },
    "emma": {*(f"E{n}" for n in range(900, 923)), "E999"},
}


@pytest.mark.parametrize("seed", [SEED_003, SEED_004])
def test_parser_finds_every_listed_code(seed: str) -> None:
    assert {family: set(rows) for family, rows in sens_seed_codes(seed).items()} == EXPECTED


@pytest.mark.parametrize("seed", [SEED_003, SEED_004])
def test_catalogue_has_every_seed_code(seed: str) -> None:
    known = catalogue("sens")
    missing = {
        family: sorted(set(rows) - set(known))
        for family, rows in sens_seed_codes(seed).items()
        if set(rows) - set(known)
    }
    assert not missing, f"codes of {seed} missing from worker/domain/data/sens.csv: {missing}"


@pytest.mark.parametrize("seed", [SEED_003, SEED_004])
def test_catalogue_family_matches_the_seed_table(seed: str) -> None:
    known = catalogue("sens")
    wrong = {
        code: (known[code].family, family)
        for family, rows in sens_seed_codes(seed).items()
        for code in rows
        if code in known and known[code].family != family
    }
    assert not wrong, f"(catalogue family, seed table) differ: {wrong}"


def test_catalogue_has_no_codes_beyond_the_seeds() -> None:
    seeded = set().union(*(set(rows) for rows in sens_seed_codes(SEED_003).values()))
    assert set(catalogue("sens")) == seeded


def test_catalogue_titles_follow_seed_003() -> None:
    # sens.csv takes its titles from seed 003's wording.
    known = catalogue("sens")
    wrong = {}
    for family, rows in sens_seed_codes(SEED_003).items():
        for code, text in rows.items():
            title = text
            if family == "report":
                title = re.sub(r"^(success|failure|Invalid)", "", text)
            if known[code].title != title:
                wrong[code] = (known[code].title, title)
    assert not wrong, f"(catalogue title, seed 003 title) differ: {wrong}"


def test_every_row_belongs_to_sens_and_keys_its_code() -> None:
    for code, row in catalogue("sens").items():
        assert row.provider == "sens"
        assert row.code == code
        assert row.family in {"report", "response", "emma"}
        assert isinstance(row.outcome, Outcome)


@pytest.mark.parametrize(
    ("family", "description"),
    [("response", "Relay gateway response"), ("emma", "EMMA processing error")],
)
def test_family_description_is_uniform(family: str, description: str) -> None:
    wrong = {
        code: row.description
        for code, row in catalogue("sens").items()
        if row.family == family and row.description != description
    }
    assert not wrong, f"{family} rows with another description: {wrong}"


def test_zero_is_delivered() -> None:
    row = lookup("sens", "0")
    assert row.outcome is Outcome.DELIVERED
    assert row.suppress is False
    assert row.title == "Succeeded"


def test_only_zero_is_delivered() -> None:
    delivered = {c for c, row in catalogue("sens").items() if row.outcome is Outcome.DELIVERED}
    assert delivered == {"0"}


def test_device_power_off_is_retryable() -> None:
    row = lookup("sens", "2003")
    assert row.outcome is Outcome.RETRYABLE
    assert row.suppress is False
    assert row.family == "report"


def test_no_subscriber_is_failed_and_suppressed() -> None:
    row = lookup("sens", "3001")
    assert row.outcome is Outcome.FAILED
    assert row.suppress is True
    assert row.title == "No subscriber"


def test_duplicate_message_is_never_retried() -> None:
    assert lookup("sens", "E915").outcome is Outcome.FAILED


def test_known_code_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="worker.domain.codes"):
        lookup("sens", "3001")
    assert caplog.records == []


@pytest.mark.parametrize("code", ["9999", "X123", "", "00"])
def test_unknown_code_is_failed_and_logged(code: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="worker.domain.codes"):
        row = lookup("sens", code)
    assert row.outcome is Outcome.FAILED
    assert row.suppress is False
    assert row.family == "unknown"
    assert row.title == UNKNOWN_TITLE
    assert row.code == code
    assert row.provider == "sens"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert "provider=sens" in message
    assert f"code={code}" in message


@pytest.mark.parametrize(
    ("code", "title"),
    [
        ("RENDER", "Message could not be rendered from the template"),
        ("ERROR", "Provider call failed"),
        ("HTTP400", "Provider rejected the request (HTTP 400)"),
    ],
)
def test_internal_codes_are_failed_without_a_warning(
    code: str, title: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="worker.domain.codes"):
        row = lookup("sens", code)
    assert row.outcome is Outcome.FAILED
    assert row.family == "internal"
    assert row.title == title
    assert caplog.records == []


# The loader across providers: families, exact family lookups, no guessing between families.

HEADER = "provider,family,code,title,description,outcome,suppress,charged,reason\n"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_families_are_the_declared_tables_and_all_hold_rows(provider: str) -> None:
    assert families(provider) == FAMILIES[provider]
    assert {row.family for row in catalogue_rows(provider)} == set(families(provider))


@pytest.mark.parametrize("provider", PROVIDERS)
def test_catalogue_rows_are_unique_per_family_and_code(provider: str) -> None:
    keys = [(row.family, row.code) for row in catalogue_rows(provider)]
    assert len(keys) == len(set(keys))
    assert all(row.provider == provider for row in catalogue_rows(provider))


def test_catalogue_view_of_a_provider_whose_codes_never_collide() -> None:
    view = catalogue("sens")
    assert set(view) == {row.code for row in catalogue_rows("sens")}
    for code, row in view.items():
        assert row == matches("sens", code)[0] == lookup("sens", code)


@pytest.mark.parametrize("provider", ["nhn", "apiplex"])
def test_catalogue_view_is_refused_where_codes_collide(provider: str) -> None:
    with pytest.raises(CatalogueError, match="more than one family"):
        catalogue(provider)


@pytest.mark.parametrize(
    ("provider", "code"),
    [
        ("nhn", "0"),  # API result 0 (request accepted), DLR error 0 (delivered), msgStatus 0
        ("nhn", "4"),  # API "Parameter validation failed", DLR "Call barred", msgStatus 4
        ("nhn", "1000"),  # reception success, DLR error 1000 "ETC Error"
        ("apiplex", "6"),  # result 6, service error 6 EC_ABSENT_SUBSCRIBER_SM
        ("apiplex", "1"),  # service error 1, status group 1 PENDING
    ],
)
def test_lookup_without_a_family_refuses_a_code_of_several_families(
    provider: str, code: str
) -> None:
    with pytest.raises(CatalogueError, match="name one"):
        lookup(provider, code)
    assert describe(provider, code).family == "ambiguous"


@pytest.mark.parametrize(
    ("provider", "code", "family"),
    [("nhn", "-9999", "api"), ("nhn", "MTR2", "mtr"), ("apiplex", "2048", "service_error")],
)
def test_lookup_without_a_family_finds_a_code_of_one_family(
    provider: str, code: str, family: str
) -> None:
    assert lookup(provider, code).family == family


@pytest.mark.parametrize(
    ("provider", "code", "found"),
    [
        ("nhn", "0", ["dlr_error", "api", "msg_status"]),
        ("nhn", "1000", ["reception", "dlr_error"]),
        ("apiplex", "5", ["result", "service_error", "status_group"]),
        ("apiplex", "0", ["service_error", "service_error_group"]),
        ("sens", "3001", ["report"]),
        ("sens", "nope", []),
    ],
)
def test_matches_lists_every_family_with_the_code(provider: str, code: str, found: list) -> None:
    assert [row.family for row in matches(provider, code)] == found


def test_lookup_with_a_family_is_exact() -> None:
    assert lookup("nhn", "0", family="api").outcome is Outcome.PENDING
    assert lookup("nhn", "0", family="dlr_error").outcome is Outcome.DELIVERED
    assert lookup("apiplex", "1", family="service_error").suppress is True
    assert lookup("apiplex", "1", family="status_group").outcome is Outcome.PENDING


def test_lookup_in_a_family_without_the_code_is_unknown(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="worker.domain.codes"):
        row = lookup("nhn", "1000", family="api")
    assert (row.family, row.outcome, row.suppress) == ("unknown", Outcome.FAILED, False)
    message = caplog.records[0].getMessage()
    assert "provider=nhn" in message and "code=1000" in message and "family=api" in message


@pytest.mark.parametrize("provider", ["nhn", "apiplex"])
def test_unknown_codes_of_other_providers_are_failed(provider: str) -> None:
    row = lookup(provider, "X-not-a-code")
    assert (row.provider, row.family, row.outcome) == (provider, "unknown", Outcome.FAILED)


def test_internal_codes_work_for_every_provider_and_family() -> None:
    assert lookup("nhn", "HTTP500").family == "internal"
    assert lookup("apiplex", "RENDER", family="result").family == "internal"


def test_unknown_family_raises() -> None:
    with pytest.raises(CatalogueError, match="no code family"):
        lookup("nhn", "0", family="dlr")


def test_unknown_provider_raises() -> None:
    with pytest.raises(CatalogueError, match="unknown provider"):
        catalogue_rows("acme")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("nhn,api,0,t,d,maybe,no,,\n", "bad catalogue row"),
        ("nhn,api,0,t,d,failed,perhaps,,\n", "bad catalogue row"),
        ("nhn,api,0,t,d,failed,no,Y,\n", "bad catalogue row"),
        ("nhn,bogus,0,t,d,failed,no,,\n", "misfiled"),
        ("sens,api,0,t,d,failed,no,,\n", "misfiled"),
        ("nhn,api,0,t,d,failed,no,,\nnhn,api,0,t,d,failed,no,,\n", "appears twice"),
    ],
)
def test_parse_rows_rejects_bad_rows(body: str, error: str) -> None:
    with pytest.raises(CatalogueError, match=error):
        parse_rows("nhn", HEADER + body)


def test_parse_rows_accepts_the_same_code_in_two_families() -> None:
    rows = parse_rows(
        "nhn", HEADER + "nhn,api,0,a,,pending,no,,\nnhn,dlr_error,0,b,,delivered,no,,\n"
    )
    assert [(row.family, row.charged) for row in rows] == [("api", None), ("dlr_error", None)]


def test_an_unknown_code_is_a_complete_failed_row_never_suppressed() -> None:
    unknown = ResultCode("nhn", "unknown", "X1", UNKNOWN_TITLE, "", Outcome.FAILED, False, None, "")
    assert lookup("nhn", "X1") == unknown
    assert describe("nhn", "X1") == unknown


@pytest.mark.parametrize("family", [None, "internal"])
def test_an_internal_code_is_a_complete_row_of_the_provider(family: str | None) -> None:
    title = "Provider rejected the request (HTTP 503)"
    row = ResultCode("apiplex", "internal", "HTTP503", title, "", Outcome.FAILED, False, None, "")
    assert lookup("apiplex", "HTTP503", family) == row
    assert describe("apiplex", "HTTP503", family) == row


def test_describe_shows_a_code_of_several_families_as_ambiguous() -> None:
    title = "4 (in several code families; the family was not recorded)"
    assert describe("nhn", "4") == ResultCode(
        "nhn", "ambiguous", "4", title, "", Outcome.FAILED, False, None, ""
    )


def test_a_code_of_several_families_names_them_all() -> None:
    with pytest.raises(CatalogueError) as info:
        lookup("nhn", "1000")
    assert str(info.value) == "nhn code '1000' is in families reception, dlr_error: name one"


def test_parse_rows_names_the_known_providers() -> None:
    with pytest.raises(CatalogueError) as info:
        parse_rows("acme", HEADER)
    assert str(info.value) == "unknown provider 'acme'; known: sens, nhn, apiplex"


def test_parse_rows_keeps_every_field() -> None:
    (row,) = parse_rows("nhn", HEADER + "nhn,api,0,Title,Desc,pending,yes,no,Why\n")
    assert row == ResultCode(
        "nhn", "api", "0", "Title", "Desc", Outcome.PENDING, True, False, "Why"
    )
