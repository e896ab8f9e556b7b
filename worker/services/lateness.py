"""How many recently sent messages still lack a result well past the usual delay."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from worker.db import batches

# Messages sent within this span before the "late" mark are weighed.
SPAN = timedelta(hours=1)


def late_share(
    engine: Engine, provider: str, since: float, late: timedelta, now: datetime
) -> tuple[float, int] | None:
    """(share still awaited, messages weighed) of the provider's messages sent between the
    later of `since` (epoch: when its breaker last changed) and an hour before `now - late`,
    and `now - late`; None when none went out then."""
    start = max(now - late - SPAN, datetime.fromtimestamp(since, UTC))
    with engine.connect() as conn:
        awaited, sent = batches.late_results(conn, provider, start, now - late)
    return (awaited / sent, sent) if sent else None
