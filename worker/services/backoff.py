"""Back-off delays with jitter, from a configured ladder of seconds."""

import random
from collections.abc import Sequence
from datetime import timedelta


def delay(ladder: Sequence[float], step: int, jitter: float = 0.2) -> timedelta:
    """The wait before try `step` (1-based), ±`jitter` so retries of many batches spread out."""
    base = ladder[min(max(step, 1), len(ladder)) - 1]
    spread = base * jitter
    return timedelta(seconds=max(0.0, base + random.uniform(-spread, spread)))
