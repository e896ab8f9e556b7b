"""Korean Standard Time: both providers render and parse API times in Asia/Seoul."""

from datetime import datetime
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


def seoul(epoch: float) -> datetime:
    """The Seoul wall-clock datetime of an epoch time."""
    return datetime.fromtimestamp(epoch, SEOUL)


def parse_seoul(text: str, pattern: str) -> float:
    """Epoch seconds of `text` read with strptime `pattern` as Seoul time; ValueError if not."""
    return datetime.strptime(text, pattern).replace(tzinfo=SEOUL).timestamp()
