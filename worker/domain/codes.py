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


def _row(raw: dict[str, str]) -> ResultCode:
    charged = {"yes": True, "no": False}.get(raw["charged"])
    return ResultCode(
        provider=raw["provider"],
        family=raw["family"],
        code=raw["code"],
        title=raw["title"],
        description=raw["description"],
        outcome=Outcome(raw["outcome"]),
        suppress=raw["suppress"] == "yes",
        charged=charged,
        reason=raw["reason"],
    )


@cache
def catalogue(provider: str) -> dict[str, ResultCode]:
    """Every known code of `provider`, keyed by code, read from `data/<provider>.csv`."""
    text = resources.files("worker.domain").joinpath("data", f"{provider}.csv").read_text("utf-8")
    return {row.code: row for row in map(_row, csv.DictReader(text.splitlines()))}


# Codes this system records itself, when no provider result exists for a recipient.
INTERNAL_TITLES = {
    "RENDER": "Message could not be rendered from the template",
    "ERROR": "Provider call failed",
}


def _internal(provider: str, code: str) -> ResultCode | None:
    if code.startswith("HTTP"):
        title = f"Provider rejected the request ({code[:4]} {code[4:]})"
    elif code in INTERNAL_TITLES:
        title = INTERNAL_TITLES[code]
    else:
        return None
    return ResultCode(provider, "internal", code, title, "", Outcome.FAILED, False, None, "")


def lookup(provider: str, code: str) -> ResultCode:
    """The catalogue row for `code`; an unknown code is logged and classed `failed`."""
    known = catalogue(provider).get(code) or _internal(provider, code)
    if known is not None:
        return known
    # Never re-send on a code nobody has reviewed: it could fail forever.
    log.warning("unknown result code provider=%s code=%s", provider, code)
    return ResultCode(provider, "unknown", code, UNKNOWN_TITLE, "", Outcome.FAILED, False, None, "")
