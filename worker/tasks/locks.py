"""A Redis lock so only one poller per provider runs at a time."""

from collections.abc import Iterator
from contextlib import contextmanager

from worker.tasks import context


@contextmanager
def held(name: str, timeout: float) -> Iterator[bool]:
    """Try to take lock `name` for at most `timeout` s; yields whether we hold it."""
    lock = context.redis_client().lock(f"bulksms:lock:{name}", timeout=timeout, blocking=False)
    acquired = bool(lock.acquire(blocking=False))
    try:
        yield acquired
    finally:
        if acquired:
            lock.release()
