"""The callback services use to hand batches to the send queue without knowing Celery."""

from collections.abc import Callable, Sequence
from typing import NamedTuple


class SendJob(NamedTuple):
    """One send task: the batch, its provider, and what the rate limiter needs to know up
    front (messages it spends, the sender a per-sender limit keys on), so that a send asks
    the limiter without reading the database first."""

    batch_id: int
    provider: str
    recipients: int
    sender: str


Publish = Callable[[Sequence[SendJob]], None]
