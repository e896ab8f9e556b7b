"""In-memory store of accepted NHN send requests, compact per message, guarded by a lock.

A request keeps its body, title and settings once; per message only the packed number and
the attempt index, plus (only when they differ from the request's) recipientSeq and country.
Rendered texts, template parameters and grouping keys stay in compressed blobs, one per
request each, unpacked when a message's are read. Refused recipients are not stored.
"""

import bisect
import secrets
import string
import threading
from array import array
from dataclasses import dataclass, field

from simulator.core.counters import Counters
from simulator.core.numbers import NumberList
from simulator.core.packed import PackedRows
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
    """A view of one stored message (built on demand; its texts unpacked when read)."""

    request: "NhnRequest"
    index: int
    seq: int  # recipientSeq, 1-based position in the request's recipientList
    number: str
    country: str
    attempt: int  # messages accepted for this number before this one
    canceled_at: float | None

    @property
    def body(self) -> str:
        """The body rendered for this recipient."""
        return self.request.texts_of(self.index)[0]

    @property
    def title(self) -> str | None:
        """The title rendered for this recipient (None: a short message)."""
        return self.request.texts_of(self.index)[1]

    @property
    def parameters(self) -> str | None:
        """templateParameter as JSON text; None when none was given."""
        return self.request.texts[self.index][2]

    @property
    def grouping_key(self) -> str | None:
        """recipientGroupingKey, if given."""
        return self.request.grouping_keys[self.index][0]


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
    # Per message (body, title, templateParameter): None where the request's (or none).
    texts: PackedRows = field(default_factory=lambda: PackedRows((), 3))
    grouping_keys: PackedRows = field(default_factory=lambda: PackedRows((), 1))
    numbers: NumberList = field(default_factory=NumberList)
    attempts: array = field(default_factory=lambda: array("I"))
    seqs: array | None = None  # type "I"; None: message i has recipientSeq i + 1
    countries: dict[int, str] = field(default_factory=dict)  # when not 82
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
        return Message(
            self, index, self.seq(index), self.numbers[index],
            self.countries.get(index, KOREA), self.attempts[index], self.canceled.get(index),
        )  # fmt: skip

    def texts_of(self, index: int) -> tuple[str, str | None]:
        """The (body, title) rendered for the `index`-th stored message."""
        body, title, _ = self.texts[index]
        return (self.body if body is None else body, self.title if title is None else title)

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


def _packed(order: SendOrder, kept: list[Recipient]) -> tuple[PackedRows, PackedRows]:
    """Per kept recipient (body, title, templateParameter), None where the order's; its key."""
    texts = [
        (
            None if r.body == order.body else r.body,
            None if r.title == order.title else r.title,
            r.parameters,
        )
        for r in kept
    ]
    return PackedRows(texts, 3), PackedRows([(r.grouping_key,) for r in kept], 1)


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

    def _new(
        self, order: SendOrder, profile: OutcomeProfile, now: float, packed: tuple[PackedRows, ...]
    ) -> NhnRequest:
        created = max(now, self._times[-1]) if self._times else now
        request_id = new_request_id(created)
        while request_id in self._by_id:
            request_id = new_request_id(created)
        send_at = order.request_at if order.request_at is not None else created
        return NhnRequest(
            request_id, created, send_at, order.request_at is not None, order.kind, order.ad,
            order.send_no, order.body, order.title, order.sender_grouping_key, order.files,
            profile, *packed,
        )  # fmt: skip

    def accept(
        self, order: SendOrder, refusals: list[int | None], profile: OutcomeProfile, now: float
    ) -> NhnRequest:
        """Record `order` at `now`: every recipient whose refusal is None becomes a message."""
        pairs = zip(order.recipients, refusals, strict=True)
        kept = [(seq, r) for seq, (r, refusal) in enumerate(pairs, 1) if refusal is None]
        packed = _packed(order, [r for _, r in kept])  # compressed before taking the lock
        with self._lock:
            request = self._new(order, profile, now, packed)
            messages = [(recipient.number, recipient.body) for _, recipient in kept]
            attempts = self.counters.record_messages(order.send_no, messages)
            for (seq, recipient), attempt in zip(kept, attempts, strict=True):
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
