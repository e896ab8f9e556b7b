"""The outcome classes, suppression and reasons of every catalogue row (the judgement rules)."""

import csv
from importlib import resources

import pytest
from seedparse import table_rows

from worker.domain.codes import PROVIDERS, Outcome, catalogue_rows, lookup

RETRYABLE = [
    *(("sens", "report", str(code)) for code in (2000, 2001, 2002, 2003, 2004, 2005, 2007)),
    ("sens", "response", "1001"),
    ("nhn", "dlr_error", "2"),
    ("nhn", "dlr_error", "7"),
    ("nhn", "dlr_error", "8"),
    ("apiplex", "service_error", "6"),  # EC_ABSENT_SUBSCRIBER_SM
    ("apiplex", "service_error", "31"),  # EC_SUBSCRIBER_BUSY_FOR_MT_SMS
    ("apiplex", "service_error", "33"),  # EC_MESSAGE_WAITING_LIST_FULL
    ("apiplex", "service_error", "2048"),  # EC_TIME_OUT
    ("nhn", "api", "-9999"),  # system error
    ("nhn", "api", "-2021"),  # failed to insert into the queue
]
FAILED_AND_SUPPRESSED = [
    ("sens", "report", "3001"),
    ("nhn", "reception", "3001"),
    ("nhn", "dlr_error", "3"),  # Absent Subscriber - Permanent
    ("nhn", "dlr_error", "4"),  # Call Barred by User: "remove from your database"
    ("apiplex", "service_error", "1"),  # EC_UNKNOWN_SUBSCRIBER
]
FAILED = [
    ("sens", "report", "3003"),  # number format error
    ("sens", "report", "3012"),  # spam
    ("nhn", "reception", "3012"),
    ("nhn", "dlr_error", "6"),  # anti-spam
    ("nhn", "api", "4"),  # parameter validation
    ("nhn", "api", "-2019"),  # recipient number invalid
    ("apiplex", "service_error", "351"),  # invalid destination address
    ("apiplex", "service_error", "607"),  # spam
    ("apiplex", "result", "8"),  # prefix missing
]
DELIVERED = [
    ("sens", "report", "0"),
    ("nhn", "reception", "1000"),
    ("nhn", "dlr_status", "DELIVERED"),
    ("nhn", "dlr_error", "0"),
    ("nhn", "mtr", "MTR1"),
    ("apiplex", "result", "2"),  # DELIVERED_TO_OPERATOR: status group 3, charged
    ("apiplex", "result", "5"),  # DELIVERED_TO_HANDSET
    ("apiplex", "status_group", "3"),
]
PENDING = [
    ("nhn", "dlr_status", "ACCEPTED"),
    ("nhn", "dlr_status", "BUFFERED"),
    ("nhn", "api", "0"),  # request accepted; the reception result comes later
    ("apiplex", "status_group", "1"),
    ("apiplex", "result", "3"),
    ("apiplex", "result", "7"),
    ("apiplex", "result", "26"),
]
EXAMPLES = [
    *((key, Outcome.RETRYABLE, False) for key in RETRYABLE),
    *((key, Outcome.FAILED, True) for key in FAILED_AND_SUPPRESSED),
    *((key, Outcome.FAILED, False) for key in FAILED),
    *((key, Outcome.DELIVERED, False) for key in DELIVERED),
    *((key, Outcome.PENDING, False) for key in PENDING),
]


@pytest.mark.parametrize(("key", "outcome", "suppress"), EXAMPLES, ids=lambda v: str(v))
def test_example_is_classed_as_the_rules_say(
    key: tuple[str, str, str], outcome: Outcome, suppress: bool
) -> None:
    provider, family, code = key
    row = lookup(provider, code, family=family)
    assert (row.family, row.outcome, row.suppress) == (family, outcome, suppress)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_csv_uses_only_the_four_classes_and_yes_no(provider: str) -> None:
    text = resources.files("worker.domain").joinpath("data", f"{provider}.csv").read_text("utf-8")
    for raw in csv.DictReader(text.splitlines()):
        assert raw["outcome"] in {"delivered", "pending", "retryable", "failed"}, raw
        assert raw["suppress"] in {"yes", "no"}, raw
        assert raw["charged"] in {"yes", "no", ""}, raw
        assert all(value == value.strip() for value in raw.values()), raw


@pytest.mark.parametrize("provider", PROVIDERS)
def test_retryable_and_suppressed_rows_give_a_reason(provider: str) -> None:
    bare = [
        (row.family, row.code)
        for row in catalogue_rows(provider)
        if (row.outcome is Outcome.RETRYABLE or row.suppress) and not row.reason
    ]
    assert not bare, f"{provider} rows without a reason: {bare}"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_suppressed_rows_are_failed(provider: str) -> None:
    odd = [r.code for r in catalogue_rows(provider) if r.suppress and r.outcome != Outcome.FAILED]
    assert not odd


@pytest.mark.parametrize("provider", PROVIDERS)
def test_rows_the_provider_calls_temporary_give_a_reason(provider: str) -> None:
    # Whatever the class, a code the document calls temporary (or says to retry) needs a why.
    bare = [
        (row.family, row.code)
        for row in catalogue_rows(provider)
        if any(w in f"{row.title} {row.description}".lower() for w in ("temporar", "retry"))
        and not row.reason
    ]
    assert not bare, f"{provider} rows called temporary without a reason: {bare}"


def test_every_nhn_api_row_says_it_is_request_level() -> None:
    # API result codes answer a request, not a recipient; the reason must say so.
    bare = [
        row.code
        for row in catalogue_rows("nhn")
        if row.family == "api" and "request" not in row.reason.lower()
    ]
    assert not bare


def test_nhn_reception_agrees_with_sens_on_the_shared_carrier_codes() -> None:
    # NHN's reception table repeats the carrier codes SENS lists (report, response, EMMA);
    # only success differs: NHN 1000, SENS 0.
    differ = {}
    for seed in table_rows("nhn", "reception"):
        sens_code = {"1000": "0"}.get(seed.code, seed.code)
        nhn, sens = lookup("nhn", seed.code, "reception"), lookup("sens", sens_code)
        assert sens.family != "unknown", sens_code
        if (nhn.outcome, nhn.suppress) != (sens.outcome, sens.suppress):
            differ[seed.code] = ((nhn.outcome, nhn.suppress), (sens.outcome, sens.suppress))
    assert not differ, f"(nhn, sens) classes differ: {differ}"


@pytest.mark.parametrize(
    "key",
    [("apiplex", "service_error", "603"), ("nhn", "api", "-6001"), ("nhn", "dlr_error", "9")],
)
def test_opt_outs_are_suppressed(key: tuple[str, str, str]) -> None:
    # Network Act Art. 50: an opted-out number must not be messaged again.
    row = lookup(key[0], key[2], family=key[1])
    assert (row.outcome, row.suppress) == (Outcome.FAILED, True)


@pytest.mark.parametrize("code", ["G430", "29"])
def test_results_that_may_have_arrived_are_not_resent(code: str) -> None:
    assert lookup("apiplex", code, family="result").outcome is Outcome.FAILED
