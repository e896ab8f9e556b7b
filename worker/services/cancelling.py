"""Cancel a campaign: stop what has not gone out and withdraw reservations still ahead."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from worker.db import batches, campaigns, recipients
from worker.db.types import utcnow
from worker.domain.statuses import CampaignStatus as C
from worker.providers.base import ProviderClient
from worker.services import reservations

log = logging.getLogger(__name__)

OPEN = (C.DRAFT, C.SCHEDULED, C.QUEUED, C.DISPATCHING, C.AWAITING_RESULTS, C.PAUSED, C.CANCELLING)


@dataclass(frozen=True, slots=True)
class Cancelled:
    """What cancelling did."""

    recipients: int
    reservations_withdrawn: int
    reservations_already_sent: int


def stop_leftovers(engine: Engine) -> int:
    """Cancelled campaigns that still hold something sendable (a transient result that came
    back after the cancel, a batch a lookup found absent): stop it too. How many stopped."""
    now = utcnow()
    stopped = 0
    with engine.begin() as conn:
        for campaign_id in campaigns.cancelled_with_leftovers(conn):
            batches.cancel_unsent(conn, campaign_id, now)
            stopped += recipients.cancel_unsent(conn, campaign_id, now)
    if stopped:
        log.info("stopped %d recipients of cancelled campaigns", stopped)
    return stopped


def cancel_campaign(
    engine: Engine, client_for: Callable[[str], ProviderClient], campaign_id: int
) -> Cancelled | None:
    """Cancel the campaign; None when it was already final. Safe to run twice."""
    now = utcnow()
    with engine.begin() as conn:
        if not campaigns.transition(conn, campaign_id, OPEN, C.CANCELLING):
            return None
        # Batches first: the recipients of a batch already being sent are left to its results.
        batches.cancel_unsent(conn, campaign_id, now)
        stopped = recipients.cancel_unsent(conn, campaign_id, now)
        reserved = batches.pending_reservations(conn, campaign_id, now)
    outcomes = [reservations.withdraw(engine, client_for(b.provider), b, now) for b in reserved]
    withdrawn = [n for n in outcomes if n is not None]
    with engine.begin() as conn:
        campaigns.transition(conn, campaign_id, [C.CANCELLING], C.CANCELLED, completed_at=now)
    result = Cancelled(stopped + sum(withdrawn), len(withdrawn), len(outcomes) - len(withdrawn))
    log.info("cancelled campaign=%s %s", campaign_id, result)
    return result
