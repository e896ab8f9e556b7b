"""Deterministic NHN delivery outcomes per (seed, number): reception code, msgStatus, telecom, DLR.

The same hash and the same class bands as the SENS simulator (simulator.outcomes), so one
number under one seed succeeds, fails transiently or fails for good on both providers.
"""

from dataclasses import dataclass

from simulator import outcomes

SUCCESS = "1000"  # seed 002, "Result Code of Receiving": 1000 Successful
# SENS's success code is "0"; every other code of the SENS mix has the same number and
# meaning in seed 002's reception table (1001 server busy, 2000 delivery time exceeded,
# 2003 device power off, 2005 grey area, 3001 no subscriber, 3003 number format, 3012 spam).
_FROM_SENS = {"0": SUCCESS}
TRANSIENT = outcomes.TRANSIENT

# Seed 002 / the guide's examples: 10001 SKT, 10002 KT, 10003 LGU (the guide's spelling).
TELECOMS = {"SKT": (10001, "SKT"), "KT": (10002, "KT"), "LGU": (10003, "LGU")}


@dataclass(frozen=True, slots=True)
class Result:
    """A completed message: its reception resultCode and msgStatus ("3" success, "0" failed)."""

    code: str
    msg_status: str


@dataclass(frozen=True, slots=True)
class Dlr:
    """An international message's delivery report (seed 002, DLR status and error codes)."""

    status: str
    network_code: str
    error_code: str


def code_for(seed: int, number: str, attempt: int = 0, recover_after: int = 0) -> str:
    """The NHN reception code of the `attempt`-th message (0-based) to `number` under `seed`.

    A transient first code becomes "1000" from attempt `recover_after` on, when positive.
    """
    sens = outcomes.code_for(seed, number, attempt, recover_after)
    return _FROM_SENS.get(sens, sens)


def result_for(seed: int, number: str, attempt: int = 0, recover_after: int = 0) -> Result:
    """The reception code and msgStatus the `attempt`-th message to `number` completes with."""
    code = code_for(seed, number, attempt, recover_after)
    return Result(code, "3" if code == SUCCESS else "0")


def telecom_for(seed: int, number: str) -> tuple[int, str]:
    """(telecomCode, telecomCodeName) of a Korean number: the SENS simulator's operator."""
    return TELECOMS[outcomes.telco_for(seed, number)]


def dlr_for(seed: int, number: str, code: str) -> Dlr:
    """The DLR of a completed international message with reception `code`.

    Delivered → DELIVERED/0; transient → FAILED/2 (absent subscriber, temporary) or
    FAILED/7 (handset busy); permanent → FAILED/3 (absent subscriber, permanent).
    """
    network = str(10000 + int(outcomes.unit(seed, number, "network") * 90000))
    if code == SUCCESS:
        return Dlr("DELIVERED", network, "0")
    if code in TRANSIENT:
        return Dlr("FAILED", network, "2" if code in {"2003", "2005"} else "7")
    return Dlr("FAILED", network, "3")


def refused(seed: int, number: str, refuse_rate: float) -> bool:
    """Whether the refuse_rate fault refuses `number` (-2019) under `seed`."""
    return outcomes.unit(seed, number, "refuse") < refuse_rate
