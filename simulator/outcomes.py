"""Deterministic delivery outcomes per (seed, number): result code, completion delay, telco."""

import hashlib
from functools import lru_cache
from itertools import accumulate

# A realistic mix of SENS reception codes; every code is in catalogue("sens").
# About 85 % succeed, ~8 % fail transiently (retryable), ~7 % fail for good.
CODE_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("0", 0.85),  # success
    ("2003", 0.03),  # device power off (retryable)
    ("2005", 0.025),  # shadow area (retryable)
    ("2000", 0.015),  # delivery timeout (retryable)
    ("1001", 0.01),  # relay server busy (retryable)
    ("3001", 0.04),  # no subscriber (failed, suppress)
    ("3003", 0.015),  # called number format error (failed)
    ("3012", 0.015),  # spam (failed)
)
_CUMULATIVE: tuple[float, ...] = tuple(accumulate(weight for _, weight in CODE_WEIGHTS))

TELCOS: tuple[str, ...] = ("SKT", "SKT", "SKT", "KT", "KT", "LGU")


@lru_cache(maxsize=4096)
def unit(seed: int, number: str, salt: str) -> float:
    """A stable fraction in [0, 1) for (seed, number, salt), from SHA-256 (never hash()).

    A small cache: one listing asks the same message several times (its delay twice).
    """
    # A later "transient, then success" pattern can salt with the attempt number
    # (the store keeps each message's per-number attempt index for that).
    digest = hashlib.sha256(f"{salt}|{seed}|{number}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def code_at(fraction: float) -> str:
    """The code whose cumulative weight band holds `fraction`."""
    for (code, _), upper in zip(CODE_WEIGHTS, _CUMULATIVE, strict=True):
        if fraction < upper:
            return code
    return CODE_WEIGHTS[0][0]


# Codes a handset or network recovers from (catalogue class `retryable`): with
# `recover_after` set, a number that drew one of these succeeds on a later attempt.
TRANSIENT: frozenset[str] = frozenset({"2003", "2005", "2000", "1001"})


def code_for(seed: int, number: str, attempt: int = 0, recover_after: int = 0) -> str:
    """The SENS result code of the `attempt`-th message (0-based) to `number` under `seed`.

    A transient first code turns into success ("0") from attempt `recover_after` on, when that
    is positive ("transient, then success"); a permanent code never changes.
    """
    first = code_at(unit(seed, number, "code"))
    if first in TRANSIENT and 0 < recover_after <= attempt:
        return "0"
    return first


def complete_delay_for(seed: int, number: str, base_delay: float) -> float:
    """Seconds from acceptance to completion: between 0.5x and 1.5x `base_delay`."""
    return base_delay * (0.5 + unit(seed, number, "delay"))


def stays_pending(seed: int, number: str, pending_rate: float) -> bool:
    """Whether a message to `number` stays PROCESSING forever (a lost carrier report)."""
    return unit(seed, number, "pending") < pending_rate


def telco_for(seed: int, number: str) -> str:
    """The network operator code (SKT, KT or LGU) reported for `number`."""
    return TELCOS[int(unit(seed, number, "telco") * len(TELCOS))]
