"""Follow reserved requests (SENS reserveTime): done, failed, or withdrawn."""

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from worker.db import batches, recipients
from worker.db.members import BatchRef
from worker.domain.reservations import FINAL, ReservationStatus
from worker.domain.statuses import BatchStatus
from worker.domain.statuses import RecipientStatus as R
from worker.providers.base import ProviderClient
from worker.providers.errors import GiveUp, ProviderError

log = logging.getLogger(__name__)
S = ReservationStatus


def awaiting_reservation(batch: Any, now: datetime) -> bool:
    """True for a reserved batch whose send time has not come or whose status is not final."""
    if batch.reserve_time is None:
        return False
    return batch.reserve_time > now or batch.reserve_status not in FINAL


def check(engine: Engine, client: ProviderClient, due: Sequence[Any], now: datetime) -> list[Any]:
    """Ask the reserve status of due reserved batches; returns the batches ready for results."""
    ready = []
    for batch in due:
        if not awaiting_reservation(batch, now) or _sent(engine, client, batch, now):
            ready.append(batch)
    return ready


def _sent(engine: Engine, client: ProviderClient, batch: Any, now: datetime) -> bool:
    """True once the provider says the reserved request went out (DONE)."""
    return batch.reserve_time <= now and _settle(engine, client, batch, now) is S.DONE


def _settle(
    engine: Engine, client: ProviderClient, batch: Any, now: datetime
) -> ReservationStatus | None:
    try:
        status = S(client.reservation_status(batch.request_id))
    except (ProviderError, ValueError) as exc:
        log.warning("reserve status of batch=%s unknown: %s", batch.id, exc)
        return None
    with engine.begin() as conn:
        ref = BatchRef.of(batch)
        if status in (S.FAIL, S.STALE, S.SKIP):
            failed = recipients.close(conn, ref, R.FAILED, f"RESERVE_{status.value}", now)
            batches.settle(conn, batch.id, failed)
            batches.set_reserve_status(
                conn, batch.id, status, BatchStatus.COMPLETED, completed_at=now
            )
        elif status is S.CANCELED:
            batches.settle(
                conn, batch.id, recipients.close(conn, ref, R.CANCELLED, "CANCELLED", now)
            )
            batches.set_reserve_status(
                conn, batch.id, status, BatchStatus.CANCELLED, completed_at=now
            )
        else:
            batches.set_reserve_status(conn, batch.id, status)
    return status


def withdraw(engine: Engine, client: ProviderClient, batch: Any, now: datetime) -> int | None:
    """Cancel one reservation at the provider (DELETE); the recipients cancelled, or None
    when it had already gone out (its results will still come)."""
    try:
        client.cancel_reservation(batch.request_id)
    except GiveUp as exc:
        log.warning("reservation of batch=%s not withdrawn: %s", batch.id, exc)
        return None
    with engine.begin() as conn:
        cancelled = recipients.close(conn, BatchRef.of(batch), R.CANCELLED, "CANCELLED", now)
        batches.settle(conn, batch.id, cancelled)
        batches.set_reserve_status(
            conn, batch.id, S.CANCELED, BatchStatus.CANCELLED, completed_at=now
        )
    return cancelled
