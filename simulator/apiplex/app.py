"""The API PLEX simulator application: control endpoints (with /_sim/webhook), then GMS v2."""

import time
from collections.abc import Callable

from simulator.apiplex.api import ApiplexApi
from simulator.apiplex.control import webhook_control
from simulator.apiplex.faults import apiplex_faults
from simulator.apiplex.outbox import RetryPolicy
from simulator.apiplex.webhooks import Webhooks
from simulator.apiplex.wire import SERVER_ERRORS
from simulator.config import SimConfig
from simulator.core.app import SimApp
from simulator.core.clock import SimClock
from simulator.core.counters import Counters
from simulator.core.replies import Reply

EXTRA_STATS = (
    "lost_answers",
    "results_completed",  # final records produced (a message the pending_rate keeps: none)
    "webhook_unsent",  # results completed while no webhook URL was set
    "webhook_attempts",  # webhook calls made (every retry and duplicate included)
    "webhook_succeeded",  # calls the receiver acknowledged (2xx, a JSON body with `code`)
    "webhook_failed",  # calls it did not
    "webhook_given_up",  # records abandoned after the last retry
    "webhook_duplicates",  # records posted twice (webhook_duplicate_rate)
    "webhook_out_of_order",  # PENDING records posted after their final one
    "webhook_bursts",  # held records released at once (webhook_burst_seconds)
)


class ApiplexApp(SimApp):
    """All API PLEX simulator state behind one HTTP server."""

    name = "apiplex"

    def __init__(self, config: SimConfig, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        counters = Counters(EXTRA_STATS)
        faults = apiplex_faults(config.faults)
        super().__init__(counters, faults, SimClock(clock), SERVER_ERRORS[0])
        policy = RetryPolicy(config.webhook_retries, config.webhook_backoff_seconds)
        self.webhooks = Webhooks(policy, counters, faults, self.clock)
        self.webhooks.configure(config.webhook_url)
        self._api = ApiplexApi(config.api_key, counters, faults, self.clock, self.webhooks)

    @property
    def api(self) -> ApiplexApi:
        """The GMS v2 send endpoint."""
        return self._api

    def control(self, method: str, path: str, body: bytes) -> Reply:
        """The common /_sim endpoints, plus GET|POST /_sim/webhook."""
        if path.rstrip("/") == "/_sim/webhook":
            return webhook_control(self.webhooks, method, body)
        return super().control(method, path, body)

    def reset(self) -> None:
        """Forget counters and pending results; the webhook URL back to the start-up one."""
        self.webhooks.reset(self.config.webhook_url)
        self.counters.reset()
        super().reset()

    def close(self) -> None:
        """Stop the webhook threads."""
        self.webhooks.close()
