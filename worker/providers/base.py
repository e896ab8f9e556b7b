"""The provider interface: one small base class whose `send` is a template method."""

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from config import providers
from worker.domain.messages import ContentType, MessageType
from worker.domain.reservations import DEFAULT_ZONE

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One recipient of a provider request, with its rendered content.

    `variables` are the values the template was rendered with, for providers that fill the
    template themselves (NHN's templateParameter); `content` is the same text rendered here.
    """

    to: str
    content: str
    subject: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SendRequest:
    """One provider request: a sender, a type and up to the provider's batch of messages."""

    message_type: MessageType
    content_type: ContentType
    sender: str
    messages: list[OutgoingMessage]
    # The campaign's template ({name} placeholders), rendered into each message's content.
    template: str = ""
    subject: str | None = None
    country_code: str = "82"
    file_ids: list[str] = field(default_factory=list)
    # A reserved send goes out at reserve_time (aware; providers take the minute).
    reserve_time: datetime | None = None
    reserve_time_zone: str = DEFAULT_ZONE
    # Our batch id and send attempt, for providers that echo a grouping key (finding a
    # request again when its answer was lost).
    batch_id: int | None = None
    attempt: int = 0


@dataclass(frozen=True, slots=True)
class MessageResult:
    """What the provider reports about one message: its code and the code's family.

    Codes collide across a provider's families (NHN API `4` vs DLR error `4`), so the
    adapter that read the answer names the family the code belongs to.
    """

    request_id: str
    message_id: str
    to: str
    status: str
    code: str | None
    status_message: str | None
    telco: str | None
    complete_time: datetime | None
    request_time: datetime | None = None
    family: str = ""
    # Our batch, where the provider echoes a key we sent instead of naming its request
    # (API PLEX echo_to_webhook); results are then matched by batch, not request_id.
    batch_id: int | None = None

    @property
    def completed(self) -> bool:
        """True once the provider has a final code for this message."""
        return self.code is not None


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """An image the provider now holds: the id an MMS names, and until when (if it says)."""

    file_id: str
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SendReceipt:
    """The provider's acceptance of a request, and the recipients it refused inside it."""

    request_id: str
    request_time: datetime | None
    # Completed results (own code and family) of recipients refused within the request.
    refused: tuple[MessageResult, ...] = ()


@dataclass(frozen=True, slots=True)
class SentRequest:
    """An accepted request to read results of: its id, what was sent, and when."""

    request_id: str
    message_type: str = MessageType.SMS.value
    sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SentProbe:
    """One send attempt whose answer never came, as the provider would have recorded it: who
    sent what to whom (the batch's first message), and between which times."""

    sender: str
    to: str
    content: str
    message_type: str
    since: datetime
    until: datetime
    batch_id: int
    attempt: int


class CannotTell(Exception):
    """The provider offers no way to find a request whose answer was lost."""


@dataclass(frozen=True, slots=True)
class ResultPage:
    """One page of a provider's list answer: one HTTP call."""

    results: list[MessageResult]
    page_index: int
    has_more: bool


class ProviderClient(ABC):
    """A provider API: send a batch, read back per-message results."""

    name: str

    @property
    def entry(self) -> providers.Provider:
        """This provider's registry entry (largest batch, capabilities)."""
        return providers.get(self.name)

    def send(self, request: SendRequest) -> SendReceipt:
        """Check the batch, call the provider, log the outcome (never the secrets)."""
        if not request.messages:
            raise ValueError("a provider request needs at least one message")
        if len(request.messages) > self.entry.max_batch:
            raise ValueError(
                f"{self.name} takes at most {self.entry.max_batch} messages per request"
            )
        started = time.monotonic()
        receipt = self._send(request)
        log.info(
            "sent provider=%s request_id=%s messages=%d refused=%d elapsed_ms=%.0f",
            self.name,
            receipt.request_id,
            len(request.messages),
            len(receipt.refused),
            (time.monotonic() - started) * 1000,
        )
        return receipt

    @abstractmethod
    def _send(self, request: SendRequest) -> SendReceipt:
        """Make the provider call for one checked request."""

    @abstractmethod
    def result_pages(self, sent: SentRequest) -> Iterator[ResultPage]:
        """One accepted request's results page by page, one HTTP call each."""

    def results_for_request(self, sent: SentRequest) -> Iterator[MessageResult]:
        """Every message of one accepted request, paging until the provider has no more."""
        for page in self.result_pages(sent):
            yield from page.results

    def completed_pages(
        self, start: datetime, end: datetime, now: datetime
    ) -> Iterator[ResultPage]:
        """Results completed in [start, end), page by page; none for a provider with no sweep."""
        return iter(())

    def sweep_cost(self, start: datetime, now: datetime, load: int) -> int | None:
        """Calls a completed-time sweep of [start, now) would take; None: cannot sweep."""
        return None

    def find_sent(self, probe: SentProbe) -> list[str]:
        """Ids of the requests the provider holds that match the probe, oldest first; empty
        when it positively holds none. Raises CannotTell where it cannot be asked."""
        raise CannotTell(f"{self.name} offers no lookup of sent requests")

    def upload_image(self, name: str, data: bytes) -> UploadedFile:
        """Upload one MMS image; its file id (and expiry where the provider says it)."""
        raise NotImplementedError(f"{self.name} takes no images")

    def reservation_status(self, reserve_id: str) -> str:
        """The provider's status of a reserved request, as a ReservationStatus value."""
        raise NotImplementedError(f"{self.name} has no reserved sends")

    def cancel_reservation(self, reserve_id: str) -> None:
        """Withdraw a reserved request before its time."""
        raise NotImplementedError(f"{self.name} has no reserved sends")

    def webhook_results(self, body: dict[str, Any]) -> list[MessageResult]:
        """The results one webhook call of this provider reports (parsing only, no HTTP)."""
        raise NotImplementedError(f"{self.name} pushes no results")

    def webhook_problem(self, body: dict[str, Any]) -> str | None:
        """Why a webhook body is not one this provider sends (one line); None when it is."""
        return f"{self.name} pushes no webhooks"

    def webhook_opt_outs(self, body: dict[str, Any]) -> list[str]:
        """Numbers one webhook call reports as opted out; none by default."""
        return []

    def probe(self) -> None:
        """One cheap authenticated call, to learn whether the provider answers again (the
        health breaker's probe when no batch is left to probe with); raises ProviderError."""
        next(iter(self.opted_out_numbers()), None)

    def opted_out_numbers(self) -> Iterator[str]:
        """Numbers that opted out at the provider (080 call blocks); none by default."""
        return iter(())
