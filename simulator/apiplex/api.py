"""The GMS v2 send endpoint: route, auth, own rate limit, faults, validation, acceptance."""

import hmac
import time
from collections.abc import Mapping
from dataclasses import replace

from simulator.apiplex import wire
from simulator.apiplex.faults import ApiplexFaultSettings
from simulator.apiplex.messages import SendOrder, messages_for
from simulator.apiplex.webhooks import Webhooks
from simulator.core.clock import SimClock
from simulator.core.counters import Counters
from simulator.core.faults import Fault, Faults
from simulator.core.replies import Reply
from simulator.core.throttle import Throttle


def counted(number: str) -> str:
    """The key a number is counted under in /_sim/stats (sent_to): E.164 without "+"."""
    return number.removeprefix("+")


class ApiplexApi:
    """Answers POST /{gms-kg|gms-gk}/v2/send for one API key."""

    def __init__(
        self,
        api_key: str,
        counters: Counters,
        faults: Faults[ApiplexFaultSettings],
        clock: SimClock,
        webhooks: Webhooks,
    ) -> None:
        self._key, self._counters, self._faults = api_key, counters, faults
        self._clock, self._webhooks = clock, webhooks
        self._throttle = Throttle()

    def handle(self, method: str, raw_uri: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """404 off the send path, 401, 429, then faults, then validate (400) and accept."""
        route = wire.route_of(method, raw_uri)
        if route is None:
            return wire.NOT_FOUND
        refused = self._refusal(headers)
        if refused is not None:
            return refused
        fault = self._faults.draw()
        if fault.delay:
            time.sleep(fault.delay)
        if fault.reply is not None:
            return fault.reply
        try:
            order = wire.parse_send(body, route)
        except wire.Refusal as exc:
            return wire.problem(400, exc.code, str(exc))
        return self._lost(self.accept(order), fault)

    def _refusal(self, headers: Mapping[str, str]) -> Reply | None:
        """A wrong or missing key (401), or the simulator's own send limit (429)."""
        given = wire.presented_key(headers)
        if not hmac.compare_digest(given.encode(), self._key.encode()):
            return wire.unauthorized(bool(given))
        s = self._faults.settings
        if self._throttle.admit(self._clock.wall(), s.rate_limit, s.rate_burst):
            return None
        self._counters.record_rate_limited()
        return wire.THROTTLED

    def accept(self, order: SendOrder) -> Reply:
        """Record the request and its messages, schedule their results, answer 200."""
        now = self._clock.now()
        sent = [
            (counted(to), text) for to, text in zip(order.destinations, order.texts, strict=True)
        ]
        attempts = self._counters.record_messages(counted(order.sender), sent)
        self._counters.record_request(now)
        messages = messages_for(order, attempts, self._faults.settings, now)
        self._webhooks.schedule(messages)
        return wire.accepted(messages)

    def _lost(self, reply: Reply, fault: Fault) -> Reply:
        """An accepted send drawn as lost: recorded already, its answer held back."""
        if not fault.lost:
            return reply
        self._counters.bump("lost_answers")
        return replace(reply, hold=self._faults.settings.lost_seconds)
