"""In-memory store of accepted send requests, compact per message, guarded by a lock.

A request keeps its shared content once; per message only the packed number and the attempt
index. Messages' own contents and subjects (personalized texts) stay in one compressed blob
per request, unpacked when a message's detail is read. A messageId is `<requestId>-<index>`,
so it resolves without an index of its own.
"""

import bisect
import itertools
import secrets
import string
import threading
from array import array
from dataclasses import dataclass
from typing import Literal

from simulator.core.counters import Counters
from simulator.core.numbers import NumberList
from simulator.core.packed import PackedRows
from simulator.sens.reserve_time import ReserveTime
from simulator.sens.validation import SendRequest
from worker.domain.messages import ContentType, MessageType

_ALPHABET = string.ascii_letters + string.digits
# What DELETE .../reservations/{id} found: done, or why not.
CancelOutcome = Literal["canceled", "unknown", "already_canceled", "sent"]
# files_uploaded: new MMS images; files_reused: seed 003 reuse of the same name and size;
# mms_requests: sends taken as MMS (each naming a live file; one without is an LMS);
# list_queries: GET .../messages answered, refused ones (window_rejections) included.
EXTRA_STATS = ("lost_answers", "files_uploaded", "files_reused", "mms_requests", "list_queries")


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A view of one accepted message; status and code are computed lazily (see lifecycle)."""

    request: "AcceptedRequest"
    index: int
    to: str
    attempt: int  # messages accepted for `to` before this one (for retry-aware outcomes)

    @property
    def message_id(self) -> str:
        """`<requestId>-<index>`."""
        return f"{self.request.request_id}-{self.index}"

    @property
    def content(self) -> str | None:
        """The message's own content; None: same as the request's default content."""
        return self.request.texts[self.index][0]

    @property
    def subject(self) -> str | None:
        """The message's own subject; None: same as the request's default subject."""
        return self.request.texts[self.index][1]


@dataclass(frozen=True, slots=True)
class OutcomeProfile:
    """Settings that decide how a request's messages complete."""

    seed: int
    complete_delay: float
    pending_rate: float
    recover_after: int = 0


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
    profile: OutcomeProfile
    numbers: NumberList
    attempts: array  # type "I": per message, messages accepted for its number before it
    texts: PackedRows  # per message (content, subject) where its own, else None
    reserve: ReserveTime | None = None  # a reserved send goes out at reserve.at
    canceled: bool = False  # a reservation canceled before its time never goes out

    @property
    def size(self) -> int:
        """How many messages the request holds."""
        return len(self.numbers)

    def message(self, index: int) -> StoredMessage:
        """The `index`-th message (0-based)."""
        return StoredMessage(self, index, self.numbers[index], self.attempts[index])

    @property
    def messages(self) -> list[StoredMessage]:
        """Every message, in request order (built on demand)."""
        return [self.message(index) for index in range(self.size)]

    # The outcome settings, by their old names (lifecycle reads them per message).
    @property
    def seed(self) -> int:
        """The outcome seed in force at acceptance."""
        return self.profile.seed

    @property
    def complete_delay(self) -> float:
        """The base completion delay in force at acceptance."""
        return self.profile.complete_delay

    @property
    def pending_rate(self) -> float:
        """The share of messages that never complete."""
        return self.profile.pending_rate

    @property
    def recover_after(self) -> int:
        """The attempt from which transient codes succeed (0: never)."""
        return self.profile.recover_after


def new_request_id(accepted_at: float, sequence: int) -> str:
    """RSSA-<epoch ms>-<4 digits>-<8 random letters/digits>."""
    tail = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"RSSA-{int(accepted_at * 1000)}-{sequence % 10000:04d}-{tail}"


def _own_texts(send: SendRequest) -> PackedRows:
    """Each message's (content, subject) where it differs from the request's, else None."""
    rows = [
        (
            None if out.content == send.content else out.content,
            None if out.subject == send.subject else out.subject,
        )
        for out in send.messages
    ]
    return PackedRows(rows, 2)


def _split_message_id(message_id: str) -> tuple[str, int] | None:
    request_id, _, index = message_id.rpartition("-")
    if not index.isascii() or not index.isdigit() or str(int(index)) != index:
        return None
    return request_id, int(index)


class Store:
    """Accepted requests in acceptance order, indexed by requestId."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counters = Counters(EXTRA_STATS)
        self.reset()

    def reset(self) -> None:
        """Forget all requests and counters."""
        with self._lock:
            self._requests: list[AcceptedRequest] = []
            self._times: list[float] = []
            self._by_request: dict[str, AcceptedRequest] = {}
            self._reserved: list[AcceptedRequest] = []
            self._sequence = itertools.count(1)
            self.max_delay = 0.0
        self.counters.reset()

    def _record(self, send: SendRequest, request: AcceptedRequest) -> None:
        messages = [
            (out.to, out.content if out.content is not None else send.content)
            for out in send.messages
        ]
        for to, _ in messages:
            request.numbers.append(to)
        request.attempts.extend(self.counters.record_messages(send.sender, messages))

    def accept(self, send: SendRequest, profile: OutcomeProfile, now: float) -> AcceptedRequest:
        """Record `send` as accepted at `now` (kept monotonic) and count its messages."""
        texts = _own_texts(send)  # compressed before taking the lock
        with self._lock:
            accepted_at = max(now, self._times[-1]) if self._times else now
            request = AcceptedRequest(
                request_id=new_request_id(accepted_at, next(self._sequence)),
                accepted_at=accepted_at,
                type=send.type,
                content_type=send.content_type,
                country_code=send.country_code,
                sender=send.sender,
                content=send.content,
                subject=send.subject,
                files=send.files,
                profile=profile,
                numbers=NumberList(),
                attempts=array("I"),
                texts=texts,
                reserve=send.reserve,
            )
            self._record(send, request)
            self._requests.append(request)
            self._times.append(accepted_at)
            self._by_request[request.request_id] = request
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
        self.counters.record_cancellation(request.size)
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
        parts = _split_message_id(message_id)
        if parts is None:
            return None
        request = self.request(parts[0])
        if request is None or parts[1] >= request.size:
            return None
        return request, request.message(parts[1])

    def accepted_between(self, start: float, end: float) -> list[AcceptedRequest]:
        """Requests accepted in [start, end), in acceptance order."""
        with self._lock:
            low = bisect.bisect_left(self._times, start)
            high = bisect.bisect_left(self._times, end)
            return self._requests[low:high]
