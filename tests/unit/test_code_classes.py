"""Every catalogue code pinned to its reviewed outcome class and suppress flag (seeds 000-004)."""

import re

import pytest
from seedparse import SEED_003, SEED_004, TABLES, sens_seed_codes, table_rows

from worker.domain.codes import FAMILIES, PROVIDERS, catalogue_rows, lookup

# (provider, family) -> {(outcome, suppress): codes}, written by hand from the seed documents'
# own words (not copied from the CSVs). Codes are space-separated; `a..b` is an inclusive
# range of the numbers the document lists in sequence. `# Doubted, kept:` records a class
# weighed against another reading of the document, and why it stands.
CLASSES: dict[tuple[str, str], dict[tuple[str, bool], str]] = {
    # 003 "EMMA v.3 reception result code" / 004 "Reception result code", IB G/W Report Code.
    ("sens", "report"): {
        # "0 success Succeeded".
        ("delivered", False): "0",
        # Class "failure": timeout, network, power off, buffer full, shadow area, "Temporary
        # device problem"; and the transient "Invalid" rows: 3004 "Device service temporarily
        # unavailable", 3005 "Device call processing status" (busy), 3011 "Server error".
        ("retryable", False): "2000..2005 2007 3004 3005 3011",
        # 3001 "No subscriber": the number is not in service.
        ("failed", True): "3001",
        # Class "Invalid": format, content, spam, caller-ID rules, MMS, "Others" (unspecified).
        # Doubted, kept: 2006 "Message deleted" sits in class "failure" beside 2000-2007, but
        #   a deleted message is gone on purpose; sending it again repeats what was refused.
        # Doubted, kept: 3003 "Called number format error" (NHN adds "unavailable number"): a
        #   format error is never suppressed (docs/result-codes.md); the number is not proven
        #   gone, and a suppression outlives every campaign.
        # Doubted, kept: 3006 "Call denied": unlike NHN DLR 4, no document says to remove it.
        ("failed", False): "2006 3000 3002 3003 3006..3010 3012..3019 3022 3023",
    },
    # 003/004 IB G/W Response Code: the relay gateway.
    ("sens", "response"): {
        # 1001 "Server Busy (RS internal queue full)", 1019 "TTL exceeded", S000/S001 "(server
        # error)", S998 "Unexpected server error": conditions of the moment, not of the number.
        ("retryable", False): "1001 1019 S000 S001 S998",
        # Request content, attachments, quotas (1005, S004, S010), spam, "Other errors".
        ("failed", False): "1002..1018 1020 S002..S012 S999",
    },
    # 003/004 IB EMMA: missing fields, MMS files, E915 "Duplicate message", E916/E917 provider
    # block lists, E919 re-send prohibited, E999 "Other errors": none is transient.
    ("sens", "emma"): {("failed", False): "E900..E922 E999"},
    # 002 "Result Code of Receiving": the carrier codes SENS lists, with 1000 for success.
    ("nhn", "reception"): {
        ("delivered", False): "1000",
        # As SENS: 1001 "Server Busy", 1019 "Exceeded TTL", 2000-2005, 2007 "Temporary device
        # issue", 3004 "Temporary service suspension", 3005 "call processing", 3011 "Server error".
        ("retryable", False): "1001 1019 2000..2005 2007 3004 3005 3011",
        # 3001 "No subscriber available".
        ("failed", True): "3001",
        # 3003, 2006 and 3006 as SENS above (the same carrier codes, judged the same).
        ("failed", False): "1002 1003 2006 3000 3002 3003 3006..3010 3012..3019 "
        "E911 E913 E915 E919 E999",
    },
    # 002 "DLR status code" (international).
    ("nhn", "dlr_status"): {
        ("delivered", False): "DELIVERED",
        # "accepted for delivery, but has not yet been delivered", "buffered for later delivery".
        ("pending", False): "ACCEPTED BUFFERED",
        # "could not be delivered within the expiry time": a fresh send gets a fresh validity.
        ("retryable", False): "EXPIRED",
        # FAILED defers to the DLR error code; REJECTED "refuses"; UNKNOWN may have arrived.
        ("failed", False): "FAILED REJECTED UNKNOWN",
    },
    # 002 "DLR error code".
    ("nhn", "dlr_error"): {
        ("delivered", False): "0",
        # 2 "temporarily unavailable - retry", 7 "Handset Busy ... - retry", 8 "network error
        # - retry": the document itself says retry.
        ("retryable", False): "2 7 8",
        # 3 "no longer active and should be removed from your database", 4 "permanent error:
        # the number should be removed", 9 "requested not to receive messages" (an opt-out).
        ("failed", True): "3 4 9",
        # 1 "no reason could be determined", portability, anti-spam, routes, age, carrier
        # block, quota (16), traffic rules, sender problems, consent, "General Error", 1000.
        ("failed", False): "1 5 6 11..14 16 20..22 39 51 53 54 99 1000",
    },
    # 002 "API Result Code": answers a request, not a recipient.
    ("nhn", "api"): {
        # "true 0 Successful": NHN took the request; the reception result comes later.
        ("pending", False): "0",
        # Server-side failures: -9999 "System error", -2009 "server error" upload, -2017 Excel,
        # -2021 "failed in saving queue", -2706 and -7000 "failed to call API".
        # Doubted, kept: -2050 "Failed to convert ... (Unable to convert)": its API message
        #   "Conversion status is not ready" says a later request may pass.
        ("retryable", False): "-9999 -2009 -2017 -2021 -2050 -2706 -7000",
        # 080 Call Rejection -6001 "Refused recipient number": the recipient opted out.
        ("failed", True): "-6001",
        # Every other code names a bad key, parameter, template, category, sender number,
        # query range or blocked country: the same request fails the same way until fixed.
        ("failed", False): "4 -1000..-1008 -9995..-9998 -2000..-2006 -2008 -2010..-2012 "
        "-2014..-2016 -2018 -2019 -2022..-2024 -2043..-2048 -2051 -4000 -8000 "
        "-2100..-2112 -2114..-2117 -2200..-2206 -2312 -2313 -2700 -2701 -2703 -2704 "
        "-6000 -6003 -6004 -7001 -7002",
    },
    # 002 "Query Delivery Codes": summaries; the reception result of the message is specific.
    ("nhn", "mtr"): {
        ("delivered", False): "MTR1",
        ("failed", False): "MTR2 MTR2_1..MTR2_3",
    },
    # Not in shared/seeds: the NHN API v3.0 guide's msgStatus 0-7 (the CSV's descriptions).
    ("nhn", "msg_status"): {
        ("delivered", False): "3",
        # 1 requesting, 2 processing, 7 "waiting for resending (ad restriction)": NHN goes on.
        ("pending", False): "1 2 7",
        # 0 failed, 4 delivery cancelled, 5 duplicate delivery, 6 failed (ad restriction).
        ("failed", False): "0 4 5 6",
    },
    # 000 "Message Status Group Code": groups only; the result code is more specific.
    ("apiplex", "status_group"): {
        ("pending", False): "1",
        ("delivered", False): "3",
        # Doubted, kept: 4 EXPIRED ("validity period") is re-sent as its result 15 is; 29
        #   EXPIRED_DLR_UNKNOWN is failed by its own, more specific row, and the group is read
        #   only for a result id the catalogue lacks.
        ("retryable", False): "4",
        ("failed", False): "2 5",
    },
    # 000 "Message Result Code (v2)".
    ("apiplex", "result"): {
        # 2 DELIVERED_TO_OPERATOR (group 3, charged) and 5 DELIVERED_TO_HANDSET.
        ("delivered", False): "2 5",
        # Group 1 PENDING: 3 WAITING_DELIVERY, 7 ENROUTE, 26 ACCEPTED.
        ("pending", False): "3 7 26",
        # G410 request to the source service failed (not charged: nothing sent), 15
        # EXPIRED_EXPIRED, 16 "Network connection unavailable", 21 "System error".
        ("retryable", False): "G410 15 16 21",
        # G430 and 29 may have arrived; 9 defers to the service error; the rest are
        # rejections of the number, sender, content, credit, route or a flood.
        # Doubted, kept: 14 "Recipient declined" bears the name REJECTED_DESTINATION as 52
        #   "Incorrect destination address" does: a refused address, not an opt-out (the
        #   opt-outs are service errors 603 and 573, suppressed).
        # Doubted, kept: 18 "Destination not registered" is a registration (allow-list) refusal,
        #   not proof that the number does not exist.
        ("failed", False): "G430 4 6 8..14 17..20 23..25 28 29 51 52",
    },
    # 001 "Service Error Group Code": groups only; the service error code is more specific.
    ("apiplex", "service_error_group"): {
        ("delivered", False): "0",
        ("failed", False): "1..3",
    },
    # 001 "Service Error Code".
    ("apiplex", "service_error"): {
        # 0 NO_ERROR; 5000/5001 the voice call was answered.
        ("delivered", False): "0 5000 5001",
        # Absent (6, 27), busy (31, 72, 5002), queue or memory full (33, 256), system failure,
        # congestion, resource limits, no response, maintenance, time out (2048), "Temporary"
        # (569, 628), overload, network error, expiry (811, 4101), no answer (5003).
        # Doubted, kept: 32 EC_SM_DELIVERY_FAILURE is the GSM MAP error whose usual cause is a
        #   full handset memory (as 33 and 256), a condition that passes.
        ("retryable", False): "6 27 31..34 51 72 256 260 502 569 628 630 631 811 1031 "
        "1154 1155 1157 1158 1163 1282 1283 1536 1538 1539 1795 1796 2048 4101 5002 5003",
        # 1 "Unknown subscriber"; 573 the user asked to block the short code; 603 "user
        # opt-out (MO: STOP)".
        ("failed", True): "1 573 603",
        # Provisioning, equipment, invalid addresses, quotas, operator and DND blocks, spam,
        # protocol errors, "Unknown error", floods, cancelled, voice file errors.
        ("failed", False): "5 9..13 20 21 35 36 71 255 257..259 261 262 323 345 351 352 355 "
        "368 375 433 488 500 501 503 504 507..509 511 541 542 560..566 568 571 572 574 "
        "577..581 594 597 598 601 604 607 629 632 633 810 815 1024..1030 1152 1153 1156 "
        "1159..1162 1164..1166 1281 1284 1537 1540 1541 1792..1794 2049..2053 4096 4097 4099 "
        "4100 4102..4104 5004 5005",
    },
}

ALL_TABLES = [(provider, family) for provider in PROVIDERS for family in FAMILIES[provider]]
# Every table a seed document lists: 000-002 through seedparse.TABLES, SENS from 003 and 004.
SEEDED = sorted(TABLES) + [("sens", family) for family in FAMILIES["sens"]]
RANGE = re.compile(r"(?P<prefix>[A-Z0-9_]*?)(?P<first>-?\d+)\.\.(?P=prefix)(?P<last>-?\d+)")


def expand(spec: str) -> list[str]:
    """The codes of one group: space-separated codes and inclusive ranges `a..b`."""
    codes: list[str] = []
    for item in spec.split():
        match = RANGE.fullmatch(item)
        codes += _range(match["prefix"], match["first"], match["last"]) if match else [item]
    return codes


def _range(prefix: str, first: str, last: str) -> list[str]:
    # Pad to the first code's width, so S000..S012 keeps its zeros.
    low, high = sorted((int(first), int(last)))
    return [f"{prefix}{n:0{len(first)}d}" for n in range(low, high + 1)]


def reviewed(table: tuple[str, str]) -> dict[str, tuple[str, bool]]:
    """code -> (outcome, suppress) for one (provider, family) of CLASSES."""
    return {code: verdict for verdict, spec in CLASSES[table].items() for code in expand(spec)}


def seed_codes(provider: str, family: str) -> set[str]:
    """The codes the seed documents list for one (provider, family)."""
    if provider == "sens":
        return {code for seed in (SEED_003, SEED_004) for code in sens_seed_codes(seed)[family]}
    return {row.code for row in table_rows(provider, family)}


def test_ranges_expand_as_written() -> None:
    assert expand("S000..S002 E999") == ["S000", "S001", "S002", "E999"]
    assert expand("-2006..-2008 MTR2_1..MTR2_2") == ["-2008", "-2007", "-2006", "MTR2_1", "MTR2_2"]


def test_table_names_every_family_of_the_catalogue() -> None:
    assert sorted(CLASSES) == sorted(ALL_TABLES)


@pytest.mark.parametrize("table", ALL_TABLES, ids="/".join)
def test_no_code_is_in_two_groups(table: tuple[str, str]) -> None:
    listed = [code for spec in CLASSES[table].values() for code in expand(spec)]
    twice = sorted({code for code in listed if listed.count(code) > 1})
    assert not twice, f"{'/'.join(table)} codes in two groups of CLASSES: {twice}"


@pytest.mark.parametrize("table", ALL_TABLES, ids="/".join)
def test_every_catalogue_row_has_its_reviewed_class(table: tuple[str, str]) -> None:
    provider, family = table
    expected = reviewed(table)
    wrong = {
        row.code: ((row.outcome.value, row.suppress), expected.get(row.code, "not in CLASSES"))
        for row in catalogue_rows(provider)
        if row.family == family and (row.outcome.value, row.suppress) != expected.get(row.code)
    }
    assert not wrong, f"data/{provider}.csv {family} codes (catalogue, reviewed): {wrong}"


@pytest.mark.parametrize("table", ALL_TABLES, ids="/".join)
def test_every_reviewed_code_is_catalogued_with_its_class(table: tuple[str, str]) -> None:
    provider, family = table
    wrong = {}
    for code, verdict in reviewed(table).items():
        row = lookup(provider, code, family=family)
        found = (row.outcome.value, row.suppress) if row.family == family else "not catalogued"
        if found != verdict:
            wrong[code] = (found, verdict)
    assert not wrong, f"{provider}/{family} codes (catalogue, reviewed): {wrong}"


@pytest.mark.parametrize("table", SEEDED, ids="/".join)
def test_reviewed_table_covers_every_seed_code(table: tuple[str, str]) -> None:
    seeded = seed_codes(*table)
    assert seeded, f"no {'/'.join(table)} codes parsed from the seeds"
    missing = sorted(seeded - set(reviewed(table)))
    assert not missing, f"{'/'.join(table)} seed codes without a reviewed class: {missing}"
