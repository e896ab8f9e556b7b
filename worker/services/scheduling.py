"""When a batch of a scheduled campaign goes: now, reserved at the provider, or later."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# Planning and the HTTP call take a moment: ask for a reservation only with this much to
# spare above the provider's minimum lead (config/providers.py; SENS: 10 minutes).
RESERVE_MARGIN = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class Timing:
    """Send now (both None), reserve at `reserve_at`, or wait in the database until `wait_until`."""

    reserve_at: datetime | None = None
    wait_until: datetime | None = None


def send_timing(campaign: Any, now: datetime, min_lead: timedelta) -> Timing:
    """How to send a batch of `campaign` at `now` to a provider needing `min_lead` ahead.

    The lead is measured to the minute the provider will read (reserve times are
    `yyyy-MM-dd HH:mm`), not to the raw time, so a reservation is never refused for
    being a few seconds short after rounding down.
    """
    at = campaign.scheduled_at
    if campaign.schedule_mode != "reserve" or at is None or at <= now:
        return Timing()
    if at.replace(second=0, microsecond=0) - now >= min_lead + RESERVE_MARGIN:
        return Timing(reserve_at=at)
    # Too close for a reservation: hold the batch and send it plainly when the time comes.
    return Timing(wait_until=at)
