"""The NHN SMS API v3.0 endpoints: auth, own rate limit, faults, then routing."""

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from simulator.core.clock import SimClock
from simulator.core.faults import Fault, Faults
from simulator.core.replies import Reply
from simulator.core.throttle import Throttle
from simulator.nhn import outcomes
from simulator.nhn.attachments import Attachments, parse_upload
from simulator.nhn.auth import refusal
from simulator.nhn.blocklist import BlockList, parse_register, parse_remove
from simulator.nhn.faults import THROTTLED, NhnFaultSettings
from simulator.nhn.hooks import result_hook, unsubscribe_hook
from simulator.nhn.lifecycle import state
from simulator.nhn.listing import list_page, update_page
from simulator.nhn.queries import parse_list_query, parse_reservation_query, parse_update_query
from simulator.nhn.recipients import Recipient
from simulator.nhn.replies import data, failed, ok
from simulator.nhn.reservations import cancel, find, list_body
from simulator.nhn.results import NhnError, message_of
from simulator.nhn.routes import VERSIONS, Route, parse_route
from simulator.nhn.sending import SendContext, parse_send
from simulator.nhn.store import NhnRequest, NhnStore, OutcomeProfile
from simulator.nhn.views import detail_item, reservation_item
from simulator.nhn.webhooks import Webhooks

# path → (long message, advertisement)
SEND_PATHS = {
    "sms": (False, False),
    "mms": (True, False),
    "ad-sms": (False, True),
    "ad-mms": (True, True),
}
_ANY_SENDER = re.compile(r"\d{8,13}")
BLOCKED = -6001  # seed 002: Recipient Number is refused. (080 opt-out)
INVALID = -2019


def _is_send(resource: tuple[str, ...]) -> bool:
    return len(resource) == 2 and resource[0] == "sender" and resource[1] in SEND_PATHS


def not_found(code: int = -9998) -> Reply:
    """HTTP 404 with -9998 "Not exist API." (or -9995 for an unknown API version)."""
    return failed(NhnError(code), 404)


@dataclass(frozen=True, slots=True)
class NhnParts:
    """The state an NhnApi works on."""

    store: NhnStore
    faults: Faults[NhnFaultSettings]
    clock: SimClock
    blocklist: BlockList
    attachments: Attachments
    webhooks: Webhooks


class NhnApi:
    """Answers NHN API calls for one appKey/secret key pair."""

    def __init__(self, keys: tuple[str, str], senders: tuple[str, ...], parts: NhnParts) -> None:
        self.keys, self.senders, self.parts = keys, frozenset(senders), parts
        self.store, self.faults, self.clock = parts.store, parts.faults, parts.clock
        self.throttle = Throttle()

    def handle(self, method: str, raw_uri: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """Authenticate, check the content type, apply the rate limit and faults, then route."""
        route = parse_route(raw_uri)
        if route is None:
            return not_found()
        if route.version not in VERSIONS:
            return not_found(-9995)
        refused = refusal(route.app_key, headers, self.keys) or self._content_type(method, headers)
        if refused is not None:
            return refused
        sending = method == "POST" and _is_send(route.resource)
        if sending and not self._admitted():
            return THROTTLED
        fault = self.faults.draw()
        if fault.delay:
            time.sleep(fault.delay)
        if fault.reply is not None:
            return fault.reply
        try:
            reply = self._route(method, route, body)
        except NhnError as exc:
            return failed(exc)
        return self._lost(reply, fault) if sending else reply

    @staticmethod
    def _content_type(method: str, headers: Mapping[str, str]) -> Reply | None:
        """POST and PUT bodies must be application/json (seed 002, -9996)."""
        kind = headers.get("content-type", "")
        if method in ("POST", "PUT") and not kind.lower().startswith("application/json"):
            return failed(NhnError(-9996, f"Content-Type is {kind or 'missing'}"))
        return None

    def _admitted(self) -> bool:
        """The simulator's own send limit (rate_limit/rate_burst); a refusal is counted."""
        s = self.faults.settings
        if self.throttle.admit(self.clock.wall(), s.rate_limit, s.rate_burst):
            return True
        self.store.counters.record_rate_limited()
        return False

    def _lost(self, reply: Reply, fault: Fault) -> Reply:
        """An accepted send drawn as lost: recorded already, its answer held back."""
        accepted = isinstance(reply.body, dict) and reply.body["header"]["isSuccessful"]
        if not (fault.lost and accepted):
            return reply
        self.store.counters.bump("lost_answers")
        return replace(reply, hold=self.faults.settings.lost_seconds)

    def _route(self, method: str, route: Route, body: bytes) -> Reply:
        head, rest = (route.resource or ("",))[0], route.resource[1:]
        handlers = {
            "sender": self._sender,
            "message-results": self._results,
            "reservations": self._reservations,
            "blockservice": self._blockservice,
            "attachfile": self._attachfile,
        }
        handler = handlers.get(head)
        return not_found() if handler is None else handler(method, rest, route.params, body)

    # --- sending and message queries --------------------------------------------------------

    def _sender(
        self, method: str, rest: tuple[str, ...], params: dict[str, str], body: bytes
    ) -> Reply:
        match (method, rest):
            case ("POST", (path,)) if path in SEND_PATHS:
                return self.send(path, body)
            case ("GET", ("sms" | "mms" as path,)):
                return self.list(path == "mms", params)
            case ("GET", ("sms" | "mms" as path, request_id)):
                return self.get(path == "mms", request_id, params)
        return not_found()

    def _registered(self, send_no: str) -> bool:
        if self.senders:
            return send_no in self.senders
        return bool(_ANY_SENDER.fullmatch(send_no)) and send_no.isascii()

    def _refusal(self, recipient: Recipient, ad: bool, s: NhnFaultSettings) -> int | None:
        """A recipient's own resultCode when refused inside an accepted request."""
        if recipient.refusal is not None:
            return recipient.refusal
        if ad and self.parts.blocklist.blocked(recipient.number):
            return BLOCKED
        return INVALID if outcomes.refused(s.seed, recipient.number, s.refuse_rate) else None

    def send(self, path: str, body: bytes) -> Reply:
        """POST /sender/{sms,mms,ad-sms,ad-mms}: validate, accept the takeable recipients."""
        long, ad = SEND_PATHS[path]
        now = self.clock.now()
        context = SendContext(
            now, self._registered, lambda file_id: self.parts.attachments.live(file_id, now)
        )
        order = parse_send(body, long, ad, context)
        s = self.faults.settings
        refusals = [self._refusal(r, ad, s) for r in order.recipients]
        profile = OutcomeProfile(s.seed, s.complete_delay, s.pending_rate, s.recover_after)
        request = self.store.accept(order, refusals, profile, now)
        refused = sum(code is not None for code in refusals)
        if refused:
            self.store.counters.bump("refused_recipients", refused)
        self.parts.webhooks.watch(request)
        return data(_send_answer(request, order.recipients, refusals))

    def list(self, long: bool, params: dict[str, str]) -> Reply:
        """GET /sender/sms|mms: the window rules, then one page."""
        now = self.clock.now()
        try:
            query = parse_list_query(params, now)
        except NhnError as exc:
            self.store.counters.record_window_rejection()
            return failed(exc)
        return ok(list_page(self.store, query, long, now))

    def get(self, long: bool, request_id: str, params: dict[str, str]) -> Reply:
        """GET /sender/sms|mms/{requestId}?recipientSeq=N: one message."""
        request = self.store.request(request_id)
        if request is None or (request.kind.value != "SMS") != long:
            raise NhnError(-2008, f"requestId {request_id!r}")
        raw = params.get("recipientSeq", "")
        index = request.index_of(int(raw)) if raw.isascii() and raw.isdigit() else None
        if index is None:
            raise NhnError(-2012, f"recipientSeq {raw!r} is not in {request_id}")
        message = request.message(index)
        return data(detail_item(message, state(message, self.clock.now())))

    def _results(
        self, method: str, rest: tuple[str, ...], params: dict[str, str], body: bytes
    ) -> Reply:
        """GET /message-results: messages whose result was updated in the window."""
        if (method, rest) != ("GET", ()):
            return not_found()
        now = self.clock.now()
        try:
            query = parse_update_query(params, now)
        except NhnError as exc:
            self.store.counters.record_window_rejection()
            return failed(exc)
        return ok(update_page(self.store, query, now))

    # --- reservations, opt-outs, attachments ------------------------------------------------

    def _reservations(
        self, method: str, rest: tuple[str, ...], params: dict[str, str], body: bytes
    ) -> Reply:
        now = self.clock.now()
        match (method, rest):
            case ("GET", ()):
                return ok(list_body(self.store, parse_reservation_query(params), now))
            case ("GET", (request_id, seq)):
                return data(reservation_item(find(self.store, request_id, seq), now))
            case ("PUT", ("cancel",)):
                return self.cancel(body, now)
        return not_found()

    def cancel(self, body: bytes, now: float) -> Reply:
        """PUT /reservations/cancel: RESERVED messages only; hooks CANCEL for each."""
        done = cancel(self.store, body, now)
        if done.canceled:
            self.store.counters.record_cancellation(len(done.canceled), done.requests_touched)
        app_key = self.keys[0]
        hooks = [result_hook(m, state(m, now), app_key, now) for m in done.canceled]
        self.parts.webhooks.send("MESSAGE_RESULT_UPDATE", hooks)
        return data({"requestedCount": done.requested, "canceledCount": len(done.canceled)})

    def _blockservice(
        self, method: str, rest: tuple[str, ...], params: dict[str, str], body: bytes
    ) -> Reply:
        blocklist = self.parts.blocklist
        match (method, rest):
            case ("GET", ("recipients",)):
                return ok(blocklist.page(params))
            case ("POST", ("recipients",)):
                now = self.clock.now()
                added = blocklist.register(*parse_register(body), now)
                self.parts.webhooks.send("UNSUBSCRIBE", [unsubscribe_hook(e, now) for e in added])
                return ok()
            case ("DELETE", ("recipients", "removes")):
                blocklist.remove(*parse_remove(params))
                return ok(None)
        return not_found()

    def _attachfile(
        self, method: str, rest: tuple[str, ...], params: dict[str, str], body: bytes
    ) -> Reply:
        if (method, rest) != ("POST", ("binaryUpload",)):
            return not_found()
        name, image = parse_upload(body)
        record = self.parts.attachments.add(name, image, self.clock.now())
        return data(
            {"fileId": record.file_id, "fileName": record.file_name, "filePath": record.file_path}
        )


def _send_answer(
    request: NhnRequest, recipients: tuple[Recipient, ...], refusals: list[int | None]
) -> dict[str, Any]:
    """body.data of a send: requestId, statusCode "2", one result per recipient."""
    results = [
        {
            "recipientNo": recipient.number,
            "resultCode": code or 0,
            "resultMessage": message_of(code or 0),
            "recipientSeq": seq,
            "recipientGroupingKey": recipient.grouping_key,
        }
        for seq, (recipient, code) in enumerate(zip(recipients, refusals, strict=True), 1)
    ]
    return {
        "requestId": request.request_id,
        "statusCode": "2",
        "senderGroupingKey": request.sender_grouping_key,
        "sendResultList": results,
    }
