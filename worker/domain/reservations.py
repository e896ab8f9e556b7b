"""SENS reserved sends: the reservation statuses and the minimum lead time (seed 003)."""

from datetime import timedelta
from enum import StrEnum

# PROVIDERS.md: reserveTime must be at least 10 minutes ahead when the send is made.
MIN_LEAD = timedelta(minutes=10)
# Seed 003 and PROVIDERS.md: reserveTimeZone is a TZ database name, Asia/Seoul by default.
DEFAULT_ZONE = "Asia/Seoul"
# Seed 003, "Send message": reserveTime is "yyyy-MM-dd HH:mm" (minute resolution).
RESERVE_FORMAT = "%Y-%m-%d %H:%M"
RESERVE_FORMAT_TEXT = "yyyy-MM-dd HH:mm"


class ReservationStatus(StrEnum):
    """Seed 003, "Search for reserved message status": reserveStatus values (SKIP per clients)."""

    READY = "READY"  # waiting to be sent
    PROCESSING = "PROCESSING"  # requesting delivery
    CANCELED = "CANCELED"  # delivery canceled
    FAIL = "FAIL"  # delivery request failure
    DONE = "DONE"  # successful delivery request
    STALE = "STALE"  # delivery request failure (timeout)
    SKIP = "SKIP"  # seen in client libraries (PROVIDERS.md); meaning unconfirmed


FINAL: frozenset[ReservationStatus] = frozenset(
    {
        ReservationStatus.CANCELED,
        ReservationStatus.FAIL,
        ReservationStatus.DONE,
        ReservationStatus.STALE,
        ReservationStatus.SKIP,
    }
)
