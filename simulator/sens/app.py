"""The SENS simulator application: control endpoints, then the signed SENS API."""

import time
from collections.abc import Callable

from simulator.config import SimConfig
from simulator.core.app import SimApp
from simulator.core.clock import SimClock
from simulator.sens.api import SensApi
from simulator.sens.faults import sens_faults
from simulator.sens.replies import gateway_error
from simulator.sens.store import Store


class SensApp(SimApp):
    """All SENS simulator state behind one HTTP server."""

    name = "sens"

    def __init__(self, config: SimConfig, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.store = Store()
        sim_clock = SimClock(clock)
        faults = sens_faults(config.faults)
        crash = gateway_error(500, "900", "Unexpected Error")
        super().__init__(self.store.counters, faults, sim_clock, crash)
        identity = (config.service_id, config.access_key, config.secret_key)
        self._api = SensApi(identity, self.store, faults, sim_clock)

    @property
    def api(self) -> SensApi:
        """The signed SENS API."""
        return self._api

    def reset(self) -> None:
        """Forget every request, file and counter; faults restart from the seed; clock back to 0."""
        self.store.reset()
        self._api.files.reset()
        super().reset()
