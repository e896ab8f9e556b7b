"""The simulator application: routes a request to the control endpoints or the SENS API."""

import logging
import time
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from simulator.config import SimConfig
from simulator.sens.api import SensApi
from simulator.sens.control import handle_control
from simulator.sens.faults import Faults
from simulator.sens.replies import Reply, gateway_error
from simulator.sens.store import Store

log = logging.getLogger(__name__)


class SensApp:
    """All simulator state behind one HTTP server."""

    def __init__(self, config: SimConfig, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.store = Store()
        self.faults = Faults(config.faults)
        identity = (config.service_id, config.access_key, config.secret_key)
        self.api = SensApi(identity, self.store, self.faults, clock)

    def handle(self, method: str, raw_uri: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """The reply to one HTTP request; API answers are counted by status."""
        path = urlsplit(raw_uri).path
        if path.startswith("/_sim/"):
            return handle_control(self.store, self.faults, method, path, body, self.api.sim_clock)
        try:
            reply = self.api.handle(method, raw_uri, headers, body)
        except Exception:
            log.exception("simulator error on %s", method)
            reply = gateway_error(500, "900", "Unexpected Error")
        self.store.counters.record_response(reply.status)
        return reply
