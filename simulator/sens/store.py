"""In-memory store of accepted send requests and their messages, guarded by a lock."""

import bisect
import itertools
import secrets
import string
import threading
import uuid
from dataclasses import dataclass
from typing import Literal

from simulator.sens.counters import Counters
from simulator.sens.reserve_time import ReserveTime
from simulator.sens.validation import SendRequest
from worker.domain.messages import ContentType, MessageType

_ALPHABET = string.ascii_letters + string.digits
# What DELETE .../reservations/{id} found: done, or why not.
CancelOutcome = Literal["canceled", "unknown", "already_canceled", "sent"]


@dataclass(slots=True)
class StoredMessage:
    """One accepted message; status and code are computed lazily (see lifecycle)."""

    message_id: str
    to: str
    content: str | None  # None: same as the request's default content
    subject: str | None  # None: same as the request's default subject
    attempt: int  # messages accepted for `to` before this one (for retry-aware outcomes)


@dataclass(slots=True)
class AcceptedRequest:
    """One accepted send request with the outcome settings in force when it came."""

    request_id: str
    accepted_at: float  # epoch seconds
    type: MessageType
    content_type: ContentType
    country_code: str
    sender: str
    content: str
    subject: str | None
    files: tuple[str, ...]
    seed: int
    complete_delay: float
    pending_rate: float
    messages: list[StoredMessage]
    recover_after: int = 0
    reserve: ReserveTime | None = None  # a reserved send goes out at reserve.at
    canceled: bool = False  # a reservation canceled before its time never goes out


@dataclass(frozen=True, slots=True)
class OutcomeProfile:
    """Settings that decide how a request's messages complete."""

    seed: int
    complete_delay: float
    pending_rate: float
    recover_after: int = 0


def new_request_id(accepted_at: float, sequence: int) -> str:
    """RSSA-<epoch ms>-<4 digits>-<8 random letters/digits>."""
    tail = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"RSSA-{int(accepted_at * 1000)}-{sequence % 10000:04d}-{tail}"


class Store:
    """Accepted requests in acceptance order, indexed by requestId and messageId."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counters = Counters()
        self.reset()

    def reset(self) -> None:
        """Forget all requests and counters."""
        with self._lock:
            self._requests: list[AcceptedRequest] = []
            self._times: list[float] = []
            self._by_request: dict[str, AcceptedRequest] = {}
            self._by_message: dict[str, tuple[AcceptedRequest, StoredMessage]] = {}
            self._reserved: list[AcceptedRequest] = []
            self._sequence = itertools.count(1)
            self.max_delay = 0.0
        self.counters.reset()

    def _messages(self, send: SendRequest) -> list[StoredMessage]:
        stored = []
        for out in send.messages:
            rendered = out.content if out.content is not None else send.content
            attempt = self.counters.record_message(send.sender, out.to, rendered)
            content = None if out.content == send.content else out.content
            subject = None if out.subject == send.subject else out.subject
            stored.append(StoredMessage(str(uuid.uuid4()), out.to, content, subject, attempt))
        return stored

    def accept(self, send: SendRequest, profile: OutcomeProfile, now: float) -> AcceptedRequest:
        """Record `send` as accepted at `now` (kept monotonic) and count its messages."""
        with self._lock:
            accepted_at = max(now, self._times[-1]) if self._times else now
            request = AcceptedRequest(
                new_request_id(accepted_at, next(self._sequence)), accepted_at, send.type,
                send.content_type, send.country_code, send.sender, send.content, send.subject,
                send.files, profile.seed, profile.complete_delay, profile.pending_rate,
                self._messages(send), profile.recover_after, send.reserve,
            )  # fmt: skip
            self._requests.append(request)
            self._times.append(accepted_at)
            self._by_request[request.request_id] = request
            for message in request.messages:
                self._by_message[message.message_id] = (request, message)
            self.max_delay = max(self.max_delay, profile.complete_delay)
            if send.reserve is not None:
                self._reserved.append(request)
        self.counters.record_request(accepted_at, reserved=send.reserve is not None)
        return request

    def cancel(self, request_id: str, now: float) -> CancelOutcome:
        """Cancel a reservation that has not gone out yet (seed 003, "Cancel reserved message")."""
        with self._lock:
            request = self._by_request.get(request_id)
            if request is None or request.reserve is None:
                return "unknown"
            if request.canceled:
                return "already_canceled"
            if now >= request.reserve.at:
                return "sent"
            request.canceled = True
        self.counters.record_cancellation(len(request.messages))
        return "canceled"

    def reserved_between(self, start: float, end: float) -> list[AcceptedRequest]:
        """Reserved requests whose reserve time is in [start, end), in acceptance order."""
        with self._lock:
            return [r for r in self._reserved if r.reserve and start <= r.reserve.at < end]

    def request(self, request_id: str) -> AcceptedRequest | None:
        """The request with `request_id`, if accepted."""
        with self._lock:
            return self._by_request.get(request_id)

    def message(self, message_id: str) -> tuple[AcceptedRequest, StoredMessage] | None:
        """The message with `message_id` and its request, if accepted."""
        with self._lock:
            return self._by_message.get(message_id)

    def accepted_between(self, start: float, end: float) -> list[AcceptedRequest]:
        """Requests accepted in [start, end), in acceptance order."""
        with self._lock:
            low = bisect.bisect_left(self._times, start)
            high = bisect.bisect_left(self._times, end)
            return self._requests[low:high]
