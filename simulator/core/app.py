"""The application behind one simulator server: /_sim control endpoints, then the provider API."""

import logging
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

from simulator.core.clock import SimClock
from simulator.core.control import handle_control
from simulator.core.counters import Counters
from simulator.core.faults import Faults
from simulator.core.replies import Reply


class Api(Protocol):
    """A provider API: answers one authenticated-or-not request."""

    def handle(self, method: str, raw_uri: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """The provider's reply."""
        ...


class SimApp:
    """Routes a request to the control endpoints or the provider API; API answers are counted.

    Subclasses build `api` and may add control endpoints (`control`), state to forget
    (`reset`) and background work to stop (`close`).
    """

    name = "sim"

    def __init__(
        self, counters: Counters, faults: Faults[Any], clock: SimClock, crash: Reply
    ) -> None:
        self._counters, self._faults, self._clock = counters, faults, clock
        self._crash = crash  # the answer when the API code itself fails
        self._log = logging.getLogger(f"simulator.{self.name}")

    @property
    def counters(self) -> Counters:
        """The tallies behind GET /_sim/stats."""
        return self._counters

    @property
    def faults(self) -> Faults[Any]:
        """The runtime fault settings."""
        return self._faults

    @property
    def clock(self) -> SimClock:
        """The lifecycle clock (wall clock plus the /_sim/clock offset)."""
        return self._clock

    @property
    def api(self) -> Api:
        """The provider API (set by the subclass)."""
        raise NotImplementedError

    def handle(self, method: str, raw_uri: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """The reply to one HTTP request."""
        path = urlsplit(raw_uri).path
        if path.startswith("/_sim/"):
            return self.control(method, path, body)
        try:
            reply = self.api.handle(method, raw_uri, headers, body)
        except Exception:
            self._log.exception("simulator error on %s", method)
            reply = self._crash
        self.counters.record_response(reply.status)
        return reply

    def control(self, method: str, path: str, body: bytes) -> Reply:
        """One /_sim request."""
        return handle_control(self, method, path, body)

    def reset(self) -> None:
        """POST /_sim/reset: forget requests and counters, restart the draw, clock back."""
        self.faults.reseed()
        self.clock.reset()

    def close(self) -> None:
        """Stop background work (none here)."""
