"""The callback services use to hand batches to the send queue without knowing Celery."""

from collections.abc import Callable, Sequence

# (batch id, provider) pairs to publish as send tasks.
Publish = Callable[[Sequence[tuple[int, str]]], None]
