"""The NHN simulator application: control endpoints (with /_sim/webhook), then the NHN API."""

import time
from collections.abc import Callable

from simulator.config import SimConfig
from simulator.core.app import SimApp
from simulator.core.clock import SimClock
from simulator.core.replies import Reply
from simulator.nhn.api import NhnApi, NhnParts
from simulator.nhn.attachments import Attachments
from simulator.nhn.blocklist import BlockList
from simulator.nhn.control import webhook_control
from simulator.nhn.faults import nhn_faults
from simulator.nhn.replies import system_error
from simulator.nhn.store import NhnStore
from simulator.nhn.webhooks import DeliveryPolicy, Webhooks, WebhookTarget


class NhnApp(SimApp):
    """All NHN simulator state behind one HTTP server."""

    name = "nhn"

    def __init__(self, config: SimConfig, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.store = NhnStore()
        faults = nhn_faults(config.faults)
        super().__init__(self.store.counters, faults, SimClock(clock), system_error(500))
        policy = DeliveryPolicy(
            config.app_key, config.webhook_retries, config.webhook_backoff_seconds
        )
        self.webhooks = Webhooks(policy, self.store.counters, faults, self.clock)
        self._configure_webhook()
        self.blocklist = BlockList()
        self.attachments = Attachments(config.file_ttl_seconds)
        parts = NhnParts(
            self.store, faults, self.clock, self.blocklist, self.attachments, self.webhooks
        )
        keys = (config.app_key, config.secret_key)
        self._api = NhnApi(keys, config.registered_senders, parts)

    def _configure_webhook(self) -> None:
        url = self.config.webhook_url
        target = WebhookTarget(url, self.config.webhook_signature) if url else None
        self.webhooks.configure(target)

    @property
    def api(self) -> NhnApi:
        """The NHN API."""
        return self._api

    def control(self, method: str, path: str, body: bytes) -> Reply:
        """The common /_sim endpoints, plus GET|POST /_sim/webhook."""
        if path.rstrip("/") == "/_sim/webhook":
            return webhook_control(self.webhooks, method, body)
        return super().control(method, path, body)

    def reset(self) -> None:
        """Forget requests, counters, opt-outs, uploads and the webhook target; clock back."""
        self.store.reset()
        self.blocklist.reset()
        self.attachments.reset()
        self.webhooks.reset()
        super().reset()

    def close(self) -> None:
        """Stop the webhook thread."""
        self.webhooks.close()
