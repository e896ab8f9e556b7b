"""Parsers for the code tables of the seed documents in shared/seeds, one per layout."""

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

# The seeds live beside the repository (../shared/seeds); BULKSMS_SEEDS_DIR points elsewhere.
SEEDS = Path(__file__).parents[3] / "shared" / "seeds"
SEEDS_ENV = "BULKSMS_SEEDS_DIR"
SEED_GMS_STATUS = "000_a5a12cb580db53f9.txt"  # API PLEX GMS v2, "Message status code"
SEED_GMS_ERROR = "001_2e1f95fc7c194a0c.txt"  # API PLEX GMS v2, "Service error code"
SEED_NHN = "002_54585a2f5dc310dc.txt"  # NHN Cloud Notification SMS, "Result Code"
SEED_003 = "003_1f2653b1531ec890.txt"  # SENS SMS API v2, "Error Code" section
SEED_004 = "004_2f5628a966089cec.txt"  # SENS get delivery result, "Reception result code"


@dataclass(frozen=True)
class SeedRow:
    """One code row of a seed table: its code and the cells that follow it, by column name."""

    code: str
    cells: dict[str, str]


def seeds_dir() -> Path:
    """The folder of seed documents: $BULKSMS_SEEDS_DIR if set, else ../shared/seeds."""
    override = os.environ.get(SEEDS_ENV)
    return Path(override) if override else SEEDS


def seed_text(name: str) -> str:
    """The text of one seed document; a missing one fails under CI and skips elsewhere."""
    folder = seeds_dir()
    path = folder / name
    if not folder.is_dir():
        _missing(f"seed folder {folder} not found (set {SEEDS_ENV} or check out shared/seeds)")
    if not path.is_file():
        _missing(f"seed document {path} not found")
    return path.read_text("utf-8")


def _missing(message: str) -> NoReturn:
    # These are the only tests that compare code classes with the provider documents: under
    # CI a skip would hide them, so a missing seed fails the run instead.
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def section(text: str, start: str, end: str | None, after: str | None = None) -> list[str]:
    """The stripped, non-empty lines between the line `start` and the line `end`.

    Headings match whole lines only, so the "On this page" bullets (which start with
    "•") never count; `after` names a line the section must come after, for headings
    that occur twice (002 has "Result Code of Receiving" under reception and MTR).
    """
    lines = [line.strip() for line in text.splitlines()]
    first = lines.index(after) + 1 if after else 0
    begin = lines.index(start, first) + 1
    stop = lines.index(end, begin) if end else len(lines)
    return [line for line in lines[begin:stop] if line]


# GitBook layout (000, 001): a header of column names, then one cell per line.


def gitbook_cells(text: str, start: str, end: str, columns: tuple[str, ...]) -> list[str]:
    """The cells after the column header of the GitBook table under `start`."""
    lines = section(text, start, end)
    if tuple(lines[: len(columns)]) != columns:
        raise ValueError(f"{start}: header {lines[: len(columns)]} is not {columns}")
    return lines[len(columns) :]


def gitbook_rows(
    text: str, start: str, end: str, columns: tuple[str, ...], key: str
) -> list[SeedRow]:
    """Rows of a GitBook table where every row fills every column; `key` names the code."""
    cells = gitbook_cells(text, start, end, columns)
    if len(cells) % len(columns):
        raise ValueError(f"{start}: {len(cells)} cells do not fill {len(columns)} columns")
    rows = [
        dict(zip(columns, cells[i : i + len(columns)], strict=True))
        for i in range(0, len(cells), len(columns))
    ]
    return [SeedRow(row[key], row) for row in rows]


GMS_RESULT_COLUMNS = ("group id", "id", "Charged", "title", "description")


def gms_result_rows(text: str) -> list[SeedRow]:
    """000 "Message Result Code (v2)": G410/G430 rows carry only id, Charged and one text."""
    cells = gitbook_cells(
        text, "Message Result Code (v2)", "Last updated 1 year ago", GMS_RESULT_COLUMNS
    )
    rows, i = [], 0
    while i < len(cells):
        if re.fullmatch(r"G\d+", cells[i]):
            row = {
                "group id": "",
                "id": cells[i],
                "Charged": cells[i + 1],
                "title": "",
                "description": cells[i + 2],
            }
            i += 3
        else:
            row = dict(zip(GMS_RESULT_COLUMNS, cells[i : i + 5], strict=True))
            i += 5
        if row["Charged"] not in {"Y", "N"}:
            raise ValueError(f"result row out of step: {row}")
        rows.append(SeedRow(row["id"], row))
    return rows


def gms_status_group_rows(text: str) -> list[SeedRow]:
    """000 "Message Status Group Code": groupId, groupName, description."""
    columns = ("groupId", "groupName", "description")
    return gitbook_rows(
        text, "Message Status Group Code", "Message Result Code (v2)", columns, "groupId"
    )


def gms_error_group_rows(text: str) -> list[SeedRow]:
    """001 "Service Error Group Code": groupId, groupName, description."""
    columns = ("groupId", "groupName", "description")
    return gitbook_rows(text, "Service Error Group Code", "Service Error Code", columns, "groupId")


def gms_error_rows(text: str) -> list[SeedRow]:
    """001 "Service Error Code": group id, id, title, description."""
    columns = ("group id", "id", "title", "description")
    return gitbook_rows(text, "Service Error Code", "Last updated 1 year ago", columns, "id")


# Space-separated layout (002): one row per line, multi-word first columns, no delimiters.


def regex_rows(lines: list[str], header: str, pattern: str) -> list[SeedRow]:
    """Rows matching `pattern` (named groups, one named `code`) after the `header` line.

    Any other line raises, so a row the pattern misses cannot go unnoticed.
    """
    if lines[0] != header:
        raise ValueError(f"expected header {header!r}, found {lines[0]!r}")
    rows = []
    for line in lines[1:]:
        match = re.fullmatch(pattern, line)
        if match is None:
            raise ValueError(f"unparsed line: {line!r}")
        rows.append(SeedRow(match["code"], match.groupdict()))
    return rows


def nhn_api_rows(text: str) -> list[SeedRow]:
    """002 "API Result Code": area (may hold spaces), success flag, code, then the texts."""
    lines = section(text, "API Result Code", "Result Code of Receiving")
    header = "Service Successful or not Result code Result code message API response message"
    pattern = r"(?P<area>.+?) (?P<ok>true|false) (?P<code>-?\d+) (?P<text>.+)"
    return regex_rows(lines, header, pattern)


def nhn_reception_rows(text: str) -> list[SeedRow]:
    """002 "Result Code of Receiving" (the first one): category, code, class, description."""
    lines = section(text, "Result Code of Receiving", "DLR result code")
    header = "Category Result code Classification Description"
    pattern = r"(?P<category>.+?) (?P<code>\d{4}|E\d{3}) (?P<cls>Successful|Failure) (?P<text>.+)"
    return regex_rows(lines, header, pattern)


def nhn_dlr_status_rows(text: str) -> list[SeedRow]:
    """002 "DLR status code": an upper-case status, then its description."""
    lines = section(text, "DLR status code", "DLR error code", after="DLR result code")
    return regex_rows(lines, "DLR status code Description", r"(?P<code>[A-Z]+) (?P<text>.+)")


def nhn_dlr_error_rows(text: str) -> list[SeedRow]:
    """002 "DLR error code": a number, then the description and notes run together."""
    lines = section(text, "DLR error code", "Query Delivery Codes", after="DLR status code")
    return regex_rows(lines, "DLR error code Description Notes", r"(?P<code>\d+) (?P<text>.+)")


def nhn_mtr_rows(text: str) -> list[SeedRow]:
    """002 "Query Delivery Codes": MTR1/MTR2, then the detail codes MTR2_1..MTR2_3."""
    pattern = r"(?P<code>MTR\d(?:_\d)?) (?P<text>.+)"
    top = section(
        text,
        "Result Code of Receiving",
        "Detail Result Code of Receiving",
        after="Query Delivery Codes",
    )
    detail = section(text, "Detail Result Code of Receiving", None)
    return regex_rows(top, "Code Value Description", pattern) + regex_rows(
        detail, "Code Value Description", pattern
    )


# SENS layout (003, 004): one heading per family, then rows of a code and its text.

# A code row starts with the code, then (003) the text glued on or (004) a space.
CODE_ROW = re.compile(r"^\s*(0|[123]\d{3}|[SE]\d{3})(?!\d)\s*(\S.*)$")

# Where each document's code tables start and end.
SECTIONS = {
    SEED_003: ("EMMA v.3 reception result code", "Was this article helpful?"),
    SEED_004: ("Reception result code", None),
}
# The headings inside a section, in order, and the catalogue family each one fills.
FAMILY_HEADINGS = (
    ("IB G/W Report Code", "report"),
    ("IB G/W Response Code", "response"),
    ("IB EMMA", "emma"),
)


def sens_seed_codes(name: str) -> dict[str, dict[str, str]]:
    """family -> {code: text of the row} for the SENS code tables of seed 003 or 004."""
    text = seed_text(name)
    start, end = SECTIONS[name]
    section = text[text.index(start) :]
    if end is not None:
        section = section[: section.index(end)]
    tables: dict[str, dict[str, str]] = {family: {} for _, family in FAMILY_HEADINGS}
    family = None
    for line in section.splitlines():
        stripped = line.strip()
        heading = next((f for h, f in FAMILY_HEADINGS if stripped == h), None)
        if heading is not None:
            family = heading
            continue
        match = CODE_ROW.match(line)
        if match and family is not None:
            tables[family][match.group(1)] = match.group(2).strip()
    return tables


# (provider, family) -> (seed document, parser): every code table of seeds 000, 001 and 002.
TABLES: dict[tuple[str, str], tuple[str, Callable[[str], list[SeedRow]]]] = {
    ("apiplex", "status_group"): (SEED_GMS_STATUS, gms_status_group_rows),
    ("apiplex", "result"): (SEED_GMS_STATUS, gms_result_rows),
    ("apiplex", "service_error_group"): (SEED_GMS_ERROR, gms_error_group_rows),
    ("apiplex", "service_error"): (SEED_GMS_ERROR, gms_error_rows),
    ("nhn", "api"): (SEED_NHN, nhn_api_rows),
    ("nhn", "reception"): (SEED_NHN, nhn_reception_rows),
    ("nhn", "dlr_status"): (SEED_NHN, nhn_dlr_status_rows),
    ("nhn", "dlr_error"): (SEED_NHN, nhn_dlr_error_rows),
    ("nhn", "mtr"): (SEED_NHN, nhn_mtr_rows),
}


def table_rows(provider: str, family: str) -> list[SeedRow]:
    """The rows of the seed table that fills `family` of `provider`."""
    name, parse = TABLES[(provider, family)]
    return parse(seed_text(name))
