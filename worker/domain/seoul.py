"""Korean local time as providers write it: `yyyy-MM-dd HH:mm:ss`, `T` or space, maybe millis."""

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


@lru_cache(maxsize=4096)
def parse_local(text: str) -> datetime:
    """An aware datetime from a provider's Seoul wall-clock time; ValueError when malformed.

    Cached: a page of results shares a handful of seconds (parsing was 8 % of applying it).
    """
    moment = datetime.fromisoformat(text.replace("T", " ", 1).split(".")[0])
    return moment if moment.tzinfo else moment.replace(tzinfo=SEOUL)
