"""The SENS SMS API v2 endpoints: auth, faults, then send, list, get-one and file upload."""

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, unquote, urlsplit

from simulator.core.clock import SimClock
from simulator.core.faults import Fault, Faults, FaultSettings
from simulator.sens.auth import AuthError, check_request
from simulator.sens.files import FileStore, UploadError, parse_upload
from simulator.sens.lifecycle import held, progress
from simulator.sens.listing import candidates, matching, page
from simulator.sens.replies import Reply, auth_failed, bad_request, empty_not_found, not_found
from simulator.sens.reservations import cancel_reply, status_reply
from simulator.sens.reserve_time import lead_error
from simulator.sens.store import OutcomeProfile, Store
from simulator.sens.throttle import RATE_LIMITED, Throttle
from simulator.sens.times import format_accept_time
from simulator.sens.unsubscribes import Unsubscribes, list_reply, numbers_in
from simulator.sens.validation import SendError, SendRequest, parse_send
from simulator.sens.views import detail_item
from simulator.sens.windows import QueryError, parse_list_query
from worker.domain.messages import MessageType

PREFIX = "/sms/v2/services/"


@dataclass(frozen=True, slots=True)
class Route:
    """An API path split into its (decoded) service id, resource segments and query."""

    service_id: str
    resource: tuple[str, ...]
    params: dict[str, str]


def parse_route(raw_uri: str) -> Route | None:
    """The route of a raw request URI; None when it is not under /sms/v2/services/."""
    parts = urlsplit(raw_uri)
    if not parts.path.startswith(PREFIX):
        return None
    # The service id has colons; it may come raw or percent-encoded: accept both.
    service, *rest = parts.path[len(PREFIX) :].split("/")
    params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    return Route(unquote(service), tuple(unquote(s) for s in rest if s), params)


class SensApi:
    """Answers signed SENS API calls for one service id.

    `clock.wall()` is the wall clock (signature skew, throttle); `clock.now()` adds the offset
    POST /_sim/clock sets, for message lifecycles, reservations and list window rules.
    """

    def __init__(
        self,
        identity: tuple[str, str, str],
        store: Store,
        faults: Faults[FaultSettings],
        clock: SimClock,
    ) -> None:
        self.service_id, self.access_key, self.secret_key = identity
        self.store, self.faults, self.sim_clock = store, faults, clock
        self.throttle = Throttle()
        self.unsubscribes = Unsubscribes()
        self.files = FileStore(store.counters)

    def handle(self, method: str, raw_uri: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """Authenticate (against the exact raw URI), apply faults, then route."""
        route = parse_route(raw_uri)
        if route is None:
            return not_found()
        keys = (self.access_key, self.secret_key)
        try:
            check_request(method, raw_uri, headers, keys, int(self.sim_clock.wall() * 1000))
        except AuthError as exc:
            return auth_failed(str(exc))
        if route.service_id != self.service_id:
            return not_found()
        sending = method == "POST" and route.resource == ("messages",)
        if sending and not self._admitted():
            return RATE_LIMITED
        fault = self.faults.draw()
        if fault.delay:
            time.sleep(fault.delay)
        if fault.reply is not None:
            return fault.reply
        reply = self._route(method, route, body)
        return self._lost(reply, fault) if sending and reply.status == 202 else reply

    def _lost(self, reply: Reply, fault: Fault) -> Reply:
        """An accepted send drawn as lost: recorded already, its answer held back."""
        if not fault.lost:
            return reply
        self.store.counters.bump("lost_answers")
        return replace(reply, hold=self.faults.settings.lost_seconds)

    def _admitted(self) -> bool:
        """The simulator's own send limit (rate_limit/rate_burst); a refusal is counted."""
        s = self.faults.settings
        if self.throttle.admit(self.sim_clock.wall(), s.rate_limit, s.rate_burst):
            return True
        self.store.counters.record_rate_limited()
        return False

    def _route(self, method: str, route: Route, body: bytes) -> Reply:
        match (method, route.resource):
            case ("POST", ("messages",)):
                return self.send(body)
            case ("GET", ("messages",)):
                return self.list(route.params)
            case ("GET", ("messages", message_id)):
                return self.get(message_id)
            case ("POST", ("files",)):
                return self.upload(body)
        return self._route_side(method, route, body)

    def _route_side(self, method: str, route: Route, body: bytes) -> Reply:
        """The unsubscribe list and the reservations; anything else is not found."""
        match (method, route.resource):
            case ("GET", ("unsubscribes",)):
                return list_reply(self.unsubscribes, route.params)
            case ("POST" | "DELETE", ("unsubscribes",)):
                return self.change_unsubscribes(method, body)
            case ("GET", ("reservations", reserve_id, "reserve-status")):
                return status_reply(self.store, reserve_id, self.sim_clock.now())
            case ("DELETE", ("reservations", reserve_id)):
                return cancel_reply(self.store, reserve_id, self.sim_clock.now())
        return not_found()

    def change_unsubscribes(self, method: str, body: bytes) -> Reply:
        """POST registers numbers (manually, type M); DELETE removes them (204)."""
        try:
            numbers = numbers_in(body)
        except ValueError as exc:
            return bad_request(str(exc))
        if method == "DELETE":
            self.unsubscribes.remove(numbers)
            return Reply(204, None)
        return Reply(200, self.unsubscribes.register(numbers, "M", self.sim_clock.wall()))

    def send(self, body: bytes) -> Reply:
        """POST .../messages: validate (a reservation at least 10 min ahead), accept, 202."""
        now = self.sim_clock.now()
        try:
            request = parse_send(body)
        except SendError as exc:
            return bad_request(str(exc))
        refusal = self._refusal(request, now)
        if refusal:
            return bad_request(refusal)
        s = self.faults.settings
        profile = OutcomeProfile(s.seed, s.complete_delay, s.pending_rate, s.recover_after)
        accepted = self.store.accept(request, profile, now)
        if request.type is MessageType.MMS:  # it named a live file (else refused above)
            self.store.counters.bump("mms_requests")
        return Reply(
            202,
            {
                "requestId": accepted.request_id,
                "requestTime": format_accept_time(accepted.accepted_at),
                "statusCode": "202",
                "statusName": "success",
            },
        )

    def _refusal(self, request: SendRequest, now: float) -> str | None:
        """Why a well-formed send is refused: a reservation too soon, or an unusable file."""
        if request.reserve is not None and (too_soon := lead_error(request.reserve, now)):
            return too_soon
        # Seed 003: files are "Only available in MMS", each fileId one of "Upload files".
        if request.type is MessageType.MMS:
            return self.files.refusal(request.files, now)
        return None

    def upload(self, body: bytes) -> Reply:
        """POST .../files: check the JPEG, keep it (or reuse a live one), 200."""
        try:
            name, size = parse_upload(body)
        except UploadError as exc:
            return bad_request(str(exc))
        return Reply(200, self.files.upload(name, size, self.sim_clock.now()).view())

    def list(self, params: Mapping[str, str]) -> Reply:
        """GET .../messages: window rules, then one page of matching messages."""
        now = self.sim_clock.now()
        self.store.counters.bump("list_queries")
        try:
            query = parse_list_query(params, now)
        except QueryError as exc:
            self.store.counters.record_window_rejection()
            return bad_request(str(exc))
        requests = candidates(self.store, query)
        if requests is None:
            return empty_not_found()
        # Seed 003: a request still "reserved" answers that statusName, with no messages.
        reserved = bool(query.request_id) and held(requests[0], now)
        items = list(matching(query, requests, now))
        return Reply(200, page(query, items, "reserved" if reserved else "success"))

    def get(self, message_id: str) -> Reply:
        """GET .../messages/{messageId}: one message with its content."""
        found = self.store.message(message_id)
        if found is None:
            return empty_not_found()
        request, message = found
        state = progress(request, message, self.sim_clock.now())
        item = detail_item(request, message, state)
        return Reply(200, {"statusCode": "200", "statusName": "success", "messages": [item]})
