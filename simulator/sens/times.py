"""SENS time formats; every API time is Asia/Seoul local time (our assumption: SENS shows KST)."""

# Assumption: SENS renders requestTime/completeTime and parses the list query windows
# in Korean local time (Asia/Seoul, UTC+9, no DST); the simulator does the same.
from functools import lru_cache

from simulator.core.kst import SEOUL, parse_seoul, seoul

__all__ = ["SEOUL", "format_accept_time", "format_time", "parse_query_time", "seoul"]

QUERY_FORMAT = "%Y-%m-%d %H:%M:%S"
QUERY_FORMAT_TEXT = "yyyy-MM-dd HH:mm:ss"


def format_accept_time(epoch: float) -> str:
    """The send response's requestTime: yyyy-MM-dd'T'HH:mm:ss.SSS."""
    moment = seoul(epoch)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def format_time(epoch: float) -> str:
    """A list/get time field: yyyy-MM-dd HH:mm:ss (truncated to the second)."""
    return _second(int(epoch))


@lru_cache(maxsize=1024)
def _second(epoch: int) -> str:
    """One second's text: a page of results shares a handful of them."""
    return seoul(epoch).strftime(QUERY_FORMAT)


def parse_query_time(text: str) -> float:
    """Epoch seconds of a yyyy-MM-dd HH:mm:ss Seoul time; ValueError when malformed."""
    return parse_seoul(text, QUERY_FORMAT)
