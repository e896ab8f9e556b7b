"""Times given on the command line: Korean local time unless an offset is written."""

from datetime import datetime
from zoneinfo import ZoneInfo

# Campaigns are sent to Korean handsets; people write their local wall-clock time.
DEFAULT_ZONE = ZoneInfo("Asia/Seoul")


def parse_time(text: str) -> datetime:
    """`2026-11-24 09:00` (Asia/Seoul) or ISO 8601 with an offset; ValueError names the form."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{text!r} is not a time: write YYYY-MM-DD HH:MM (Korea time) or ISO 8601"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=DEFAULT_ZONE)
