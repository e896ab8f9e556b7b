"""Copy the provider's 080 opt-out list into the suppression table."""

import logging
from collections.abc import Iterable, Iterator
from itertools import islice

from sqlalchemy import Engine

from worker.db import suppressions
from worker.db.types import utcnow
from worker.providers.base import ProviderClient

log = logging.getLogger(__name__)

CHUNK = 1_000


def _chunks(numbers: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(numbers)
    while chunk := list(islice(iterator, size)):
        yield chunk


def sync_opt_outs(engine: Engine, client: ProviderClient) -> int:
    """Suppress every number that opted out at the provider; returns how many were read."""
    now = utcnow()
    seen = 0
    for chunk in _chunks(client.opted_out_numbers(), CHUNK):
        rows = [
            {
                "phone": phone,
                "reason": "080 opt-out",
                "source": f"{client.name} 080",
                "created_at": now,
            }
            for phone in chunk
        ]
        with engine.begin() as conn:
            suppressions.add_many(conn, rows)
        seen += len(chunk)
    log.info("opt-out sync provider=%s numbers=%d", client.name, seen)
    return seen
