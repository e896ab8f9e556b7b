"""Move a campaign forward once its recipients allow: sent → awaiting results → completed."""

from datetime import datetime

from sqlalchemy import Connection

from worker.db import campaigns


def refresh(conn: Connection, campaign_id: int, now: datetime) -> None:
    """Apply whichever campaign transitions its recipients' states now permit (idempotent)."""
    campaigns.mark_sent_if_done(conn, campaign_id)
    campaigns.complete_if_final(conn, campaign_id, now)
