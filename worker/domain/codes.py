"""The result-code catalogue: every provider code with its outcome class, from reviewed CSV."""

import csv
import logging
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    """What a result code means for the recipient."""

    DELIVERED = "delivered"
    PENDING = "pending"
    RETRYABLE = "retryable"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ResultCode:
    """One row of a provider's code table (seed documents in shared/seeds)."""

    provider: str
    family: str
    code: str
    title: str
    description: str
    outcome: Outcome
    suppress: bool
    charged: bool | None
    reason: str


UNKNOWN_TITLE = "Unknown code"

# The code tables (families) of each provider's catalogue. Codes collide across families
# (NHN API `4` and DLR error `4`, reception `1000` and DLR error `1000`; API PLEX result `5`
# and service error `5`), so a code means nothing without its family: the adapter that read
# a result names it, and a lookup without one is refused where the code is ambiguous.
FAMILIES: dict[str, tuple[str, ...]] = {
    # Seeds 003/004: carrier report, relay gateway response, EMMA (no codes collide).
    "sens": ("report", "response", "emma"),
    # Seed 002: reception results and DLRs are per recipient; API result codes answer a
    # request; MTR codes are query summaries. msg_status: the API guide's msgStatus 0-7,
    # the only code a message has when it ends without a reception result (cancelled …).
    "nhn": ("reception", "dlr_status", "dlr_error", "api", "mtr", "msg_status"),
    # Seeds 000/001: the result code is the per-message outcome; the service error refines
    # it; the two group tables only summarise.
    "apiplex": ("result", "service_error", "status_group", "service_error_group"),
}
PROVIDERS: tuple[str, ...] = tuple(FAMILIES)
# Our own codes, recorded when no provider result exists for a recipient; and the family
# a code nobody reviewed is recorded in.
INTERNAL = "internal"
UNKNOWN = "unknown"

_YES_NO = {"yes": True, "no": False}
_CHARGED = {"yes": True, "no": False, "": None}


class CatalogueError(ValueError):
    """A catalogue CSV row breaks the format, or a caller named an unknown provider or family."""


def _row(raw: dict[str, str]) -> ResultCode:
    try:
        return ResultCode(
            provider=raw["provider"],
            family=raw["family"],
            code=raw["code"],
            title=raw["title"],
            description=raw["description"],
            outcome=Outcome(raw["outcome"]),
            suppress=_YES_NO[raw["suppress"]],
            charged=_CHARGED[raw["charged"]],
            reason=raw["reason"],
        )
    except (KeyError, ValueError) as exc:
        raise CatalogueError(f"bad catalogue row {raw}: {exc!r}") from exc


def _check(provider: str, rows: tuple[ResultCode, ...]) -> None:
    # Reviewed data: a typo in a family or a repeated (family, code) must fail loudly.
    seen: set[tuple[str, str]] = set()
    for row in rows:
        if row.provider != provider or row.family not in FAMILIES[provider]:
            raise CatalogueError(f"{provider}.csv: row {row.family}/{row.code} is misfiled")
        if (row.family, row.code) in seen:
            raise CatalogueError(f"{provider}.csv: {row.family}/{row.code} appears twice")
        seen.add((row.family, row.code))


def parse_rows(provider: str, text: str) -> tuple[ResultCode, ...]:
    """The rows of one catalogue CSV text, checked; raises CatalogueError on a bad row."""
    if provider not in FAMILIES:
        raise CatalogueError(f"unknown provider {provider!r}; known: {', '.join(PROVIDERS)}")
    rows = tuple(map(_row, csv.DictReader(text.splitlines())))
    _check(provider, rows)
    return rows


@cache
def _rows(provider: str) -> tuple[ResultCode, ...]:
    if provider not in FAMILIES:
        raise CatalogueError(f"unknown provider {provider!r}; known: {', '.join(PROVIDERS)}")
    text = resources.files("worker.domain").joinpath("data", f"{provider}.csv").read_text("utf-8")
    return parse_rows(provider, text)


def catalogue_rows(provider: str) -> list[ResultCode]:
    """Every row of `provider`'s catalogue (`data/<provider>.csv`), in file order."""
    return list(_rows(provider))


def families(provider: str) -> tuple[str, ...]:
    """The code families of `provider`, in catalogue order."""
    _rows(provider)
    return FAMILIES[provider]


@cache
def _by_family(provider: str) -> dict[str, dict[str, ResultCode]]:
    tables: dict[str, dict[str, ResultCode]] = {family: {} for family in families(provider)}
    for row in _rows(provider):
        tables[row.family][row.code] = row
    return tables


@cache
def catalogue(provider: str) -> dict[str, ResultCode]:
    """code → row, for a provider whose families share no code (SENS); CatalogueError else."""
    view: dict[str, ResultCode] = {}
    for family in families(provider):
        for code, row in _by_family(provider)[family].items():
            if code in view:
                raise CatalogueError(f"{provider} code {code!r} is in more than one family")
            view[code] = row
    return view


def matches(provider: str, code: str) -> list[ResultCode]:
    """Every row of `provider` with this code, one per family, in catalogue order."""
    tables = _by_family(provider)
    return [tables[f][code] for f in families(provider) if code in tables[f]]


# Codes this system records itself, when no provider result exists for a recipient.
INTERNAL_TITLES = {
    "RENDER": "Message could not be rendered from the template",
    "ERROR": "Provider call failed",
    "EXPIRED": "No final result from the provider before the result deadline",
    "CANCELLED": "Cancelled before it was sent",
    "RESERVE_FAIL": "The provider could not send the reserved request",
    "RESERVE_STALE": "The reserved request timed out at the provider",
    "RESERVE_SKIP": "The provider skipped the reserved request",
    "UNKNOWN": "The request may have reached the provider and it cannot be asked: an operator "
    "decides whether to send again",
    "SUPPRESSED": "On the suppression list when its batch was sent",
}


def _internal(provider: str, code: str) -> ResultCode | None:
    if code.startswith("HTTP"):
        title = f"Provider rejected the request ({code[:4]} {code[4:]})"
    elif code in INTERNAL_TITLES:
        title = INTERNAL_TITLES[code]
    else:
        return None
    return ResultCode(provider, INTERNAL, code, title, "", Outcome.FAILED, False, None, "")


def _find(provider: str, code: str, family: str | None) -> ResultCode | None:
    if family == INTERNAL:
        return _internal(provider, code)
    if family == UNKNOWN:
        return None
    if family is None:
        found = matches(provider, code)
        if len(found) > 1:
            named = ", ".join(row.family for row in found)
            raise CatalogueError(f"{provider} code {code!r} is in families {named}: name one")
        return found[0] if found else None
    if family not in families(provider):
        raise CatalogueError(f"{provider} has no code family {family!r}")
    return _by_family(provider)[family].get(code)


def describe(provider: str, code: str, family: str | None = None) -> ResultCode:
    """The catalogue row for `code` in `family`, or an `unknown` row classed `failed`.

    Never logs: for showing codes (reports, exports); deciding on a result goes through
    `lookup`. Without a family, a code listed in several families is an `ambiguous` row.
    """
    try:
        known = _find(provider, code, family) or _internal(provider, code)
    except CatalogueError:
        if family is not None:
            raise
        title = f"{code} (in several code families; the family was not recorded)"
        return ResultCode(provider, "ambiguous", code, title, "", Outcome.FAILED, False, None, "")
    if known is not None:
        return known
    return ResultCode(provider, UNKNOWN, code, UNKNOWN_TITLE, "", Outcome.FAILED, False, None, "")


def lookup(provider: str, code: str, family: str | None = None) -> ResultCode:
    """The row for `code` in `family` (`internal` for our own codes: RENDER, HTTP<status> …).

    Without a family the code must be in at most one family (CatalogueError otherwise). An
    unknown code is logged and classed `failed`; an unknown provider or family raises.
    """
    row = _find(provider, code, family) or _internal(provider, code)
    if row is None:
        # Never re-send on a code nobody has reviewed: it could fail forever.
        log.warning("unknown result code provider=%s code=%s family=%s", provider, code, family)
        return ResultCode(
            provider, UNKNOWN, code, UNKNOWN_TITLE, "", Outcome.FAILED, False, None, ""
        )
    return row
