"""A campaign's send time in words: what its status means while the time is ahead."""

from datetime import datetime

from producer.times import korea_label
from worker.domain.statuses import CampaignStatus as C

# A reserved campaign is handed to the provider at once: while its time is ahead, these
# states mean its batches are being handed over or held by the provider, not sent.
HANDED_OVER = (C.QUEUED, C.DISPATCHING, C.AWAITING_RESULTS)


def phase(status: str, mode: str | None, send_at: datetime | None, now: datetime) -> str:
    """The status as people read it: `reserved for 12-24 09:00 KST` while a reservation's
    time is ahead, `scheduled for …` while a campaign waits in the database; else `status`."""
    if send_at is None or send_at <= now:
        return status
    if mode == "reserve" and status in HANDED_OVER:
        return f"reserved for {korea_label(send_at, now)}"
    if status == C.SCHEDULED:
        return f"scheduled for {korea_label(send_at, now)}"
    return status


def schedule_line(
    mode: str | None, send_at: datetime | None, reservations: dict[str, int], now: datetime
) -> str | None:
    """`send time 12-24 09:00 KST: waits in the database until then`, or `…: reserved at the
    provider (batches READY 40, DONE 2)`; None for a campaign sent at once."""
    if send_at is None:
        return None
    when = f"send time {korea_label(send_at, now)}"
    if mode == "reserve":
        held = ", ".join(f"{status} {n:,}" for status, n in sorted(reservations.items()))
        return f"{when}: reserved at the provider ({f'batches {held}' if held else 'none yet'})"
    if send_at > now:
        return f"{when}: waits in the database until then"
    return f"{when}: waited in the database until then"
