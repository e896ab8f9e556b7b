"""In-memory store of accepted NHN send requests, compact per message, guarded by a lock.

A request keeps its body, title and settings once; per message only the packed number and
the attempt index, plus (only when they differ from the request's) recipientSeq, country,
grouping key, rendered texts and template parameters. Refused recipients are not stored.
"""

import bisect
import secrets
import string
import threading
from array import array
from dataclasses import dataclass, field

from simulator.core.counters import Counters
from simulator.core.numbers import NumberList
from simulator.nhn.attachments import UploadedFile
from simulator.nhn.recipients import KOREA, Recipient
from simulator.nhn.sending import SendOrder
from simulator.nhn.times import id_stamp
from worker.domain.messages import MessageType

_ALPHABET = string.ascii_letters + string.digits
EXTRA_STATS = (
    "lost_answers",
    "refused_recipients",
    "webhook_deliveries",
    "webhook_retries",
    "webhook_failures",
    "webhook_duplicates",
)


@dataclass(frozen=True, slots=True)
class OutcomeProfile:
    """Settings that decide how a request's messages complete."""

    seed: int
    complete_delay: float
    pending_rate: float
    recover_after: int = 0


@dataclass(frozen=True, slots=True)
class Message:
    """A view of one stored message (built on demand)."""

    request: "NhnRequest"
    index: int
    seq: int  # recipientSeq, 1-based position in the request's recipientList
    number: str
    country: str
    grouping_key: str | None
    body: str
    title: str | None
    parameters: str | None
    attempt: int  # messages accepted for this number before this one
    canceled_at: float | None


@dataclass(slots=True)
class NhnRequest:
    """One accepted send request."""

    request_id: str
    created_at: float  # createDate: when the simulator accepted it (epoch seconds)
    send_at: float  # requestDate: acceptance, or the reservation's time
    reserved: bool
    kind: MessageType
    ad: bool
    send_no: str
    body: str
    title: str | None
    sender_grouping_key: str | None
    files: tuple[UploadedFile, ...]
    profile: OutcomeProfile
    numbers: NumberList = field(default_factory=NumberList)
    attempts: array = field(default_factory=lambda: array("I"))
    seqs: array | None = None  # type "I"; None: message i has recipientSeq i + 1
    countries: dict[int, str] = field(default_factory=dict)  # when not 82
    grouping_keys: dict[int, str] = field(default_factory=dict)
    texts: dict[int, tuple[str, str | None]] = field(default_factory=dict)  # rendered, if differ
    parameters: dict[int, str] = field(default_factory=dict)
    canceled: dict[int, float] = field(default_factory=dict)  # index → when canceled

    @property
    def size(self) -> int:
        """How many messages are stored (refused recipients are not)."""
        return len(self.numbers)

    def seq(self, index: int) -> int:
        """The recipientSeq of the `index`-th stored message."""
        return index + 1 if self.seqs is None else self.seqs[index]

    def index_of(self, seq: int) -> int | None:
        """The stored index of recipientSeq `seq`; None when none (refused or out of range)."""
        if self.seqs is None:
            return seq - 1 if 1 <= seq <= self.size else None
        found = bisect.bisect_left(self.seqs, seq)
        return found if found < self.size and self.seqs[found] == seq else None

    def message(self, index: int) -> Message:
        """The `index`-th stored message."""
        body, title = self.texts.get(index, (self.body, self.title))
        return Message(
            self, index, self.seq(index), self.numbers[index],
            self.countries.get(index, KOREA), self.grouping_keys.get(index), body, title,
            self.parameters.get(index), self.attempts[index], self.canceled.get(index),
        )  # fmt: skip

    def add(self, recipient: Recipient, seq: int, attempt: int) -> None:
        """Store one accepted recipient (its recipientSeq is `seq`)."""
        index = self.size
        self.numbers.append(recipient.number)
        self.attempts.append(attempt)
        if seq != index + 1 and self.seqs is None:
            self.seqs = array("I", range(1, index + 1))
        if self.seqs is not None:
            self.seqs.append(seq)
        if recipient.country != KOREA:
            self.countries[index] = recipient.country
        if recipient.grouping_key is not None:
            self.grouping_keys[index] = recipient.grouping_key
        if (recipient.body, recipient.title) != (self.body, self.title):
            self.texts[index] = (recipient.body, recipient.title)
        if recipient.parameters is not None:
            self.parameters[index] = recipient.parameters


def new_request_id(now: float) -> str:
    """yyyyMMddHHmmss (KST) + 11 random letters/digits: 25 characters, as the guide's ids."""
    return id_stamp(now) + "".join(secrets.choice(_ALPHABET) for _ in range(11))


class NhnStore:
    """Accepted requests in acceptance order, indexed by requestId."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counters = Counters(EXTRA_STATS)
        self.reset()

    def reset(self) -> None:
        """Forget all requests and counters."""
        with self._lock:
            self._requests: list[NhnRequest] = []
            self._times: list[float] = []
            self._by_id: dict[str, NhnRequest] = {}
            self._reserved: list[NhnRequest] = []
            self.max_delay = 0.0
        self.counters.reset()

    def _new(self, order: SendOrder, profile: OutcomeProfile, now: float) -> NhnRequest:
        created = max(now, self._times[-1]) if self._times else now
        request_id = new_request_id(created)
        while request_id in self._by_id:
            request_id = new_request_id(created)
        send_at = order.request_at if order.request_at is not None else created
        return NhnRequest(
            request_id, created, send_at, order.request_at is not None, order.kind, order.ad,
            order.send_no, order.body, order.title, order.sender_grouping_key, order.files,
            profile,
        )  # fmt: skip

    def accept(
        self, order: SendOrder, refusals: list[int | None], profile: OutcomeProfile, now: float
    ) -> NhnRequest:
        """Record `order` at `now`: every recipient whose refusal is None becomes a message."""
        with self._lock:
            request = self._new(order, profile, now)
            for seq, (recipient, refusal) in enumerate(
                zip(order.recipients, refusals, strict=True), 1
            ):
                if refusal is None:
                    attempt = self.counters.record_message(
                        order.send_no, recipient.number, recipient.body
                    )
                    request.add(recipient, seq, attempt)
            self._requests.append(request)
            self._times.append(request.created_at)
            self._by_id[request.request_id] = request
            self.max_delay = max(self.max_delay, profile.complete_delay)
            if request.reserved:
                self._reserved.append(request)
        self.counters.record_request(request.created_at, reserved=request.reserved)
        return request

    def request(self, request_id: str) -> NhnRequest | None:
        """The request with `request_id`, if accepted."""
        with self._lock:
            return self._by_id.get(request_id)

    def created_between(self, start: float, end: float) -> list[NhnRequest]:
        """Requests accepted in [start, end), in acceptance order."""
        with self._lock:
            low = bisect.bisect_left(self._times, start)
            high = bisect.bisect_left(self._times, end)
            return self._requests[low:high]

    def reserved(self) -> list[NhnRequest]:
        """Every reserved request, in acceptance order."""
        with self._lock:
            return list(self._reserved)

    def sent_between(self, start: float, end: float) -> list[NhnRequest]:
        """Requests whose requestDate (send time) is in [start, end), in acceptance order."""
        found = [r for r in self.created_between(start, end) if not r.reserved]
        extra = [r for r in self.reserved() if start <= r.send_at < end]
        return sorted(found + extra, key=lambda r: r.created_at) if extra else found

    def cancel(self, request: NhnRequest, index: int, now: float) -> bool:
        """Mark a stored message canceled at `now`; False when it already was."""
        with self._lock:
            if index in request.canceled:
                return False
            request.canceled[index] = now
            return True
