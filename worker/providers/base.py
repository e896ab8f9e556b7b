"""The provider interface: one small base class whose `send` is a template method."""

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from worker.domain.messages import ContentType, MessageType
from worker.domain.reservations import DEFAULT_ZONE

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One recipient of a provider request, with its rendered content."""

    to: str
    content: str
    subject: str | None = None


@dataclass(frozen=True, slots=True)
class SendRequest:
    """One provider request: a sender, a type and up to `max_batch` messages."""

    message_type: MessageType
    content_type: ContentType
    sender: str
    content: str
    messages: list[OutgoingMessage]
    subject: str | None = None
    country_code: str = "82"
    file_ids: list[str] = field(default_factory=list)
    # Seed 003: a reserved send goes out at reserve_time (aware; SENS takes the minute).
    reserve_time: datetime | None = None
    reserve_time_zone: str = DEFAULT_ZONE


@dataclass(frozen=True, slots=True)
class SendReceipt:
    """The provider's acceptance of a request."""

    request_id: str
    request_time: datetime | None


@dataclass(frozen=True, slots=True)
class MessageResult:
    """What the provider reports about one message of an accepted request."""

    request_id: str
    message_id: str
    to: str
    status: str
    code: str | None
    status_message: str | None
    telco: str | None
    complete_time: datetime | None
    request_time: datetime | None = None

    @property
    def completed(self) -> bool:
        """True once the provider has a final reception code for this message."""
        return self.code is not None


@dataclass(frozen=True, slots=True)
class ResultPage:
    """One page of a provider's list answer: one HTTP call."""

    results: list[MessageResult]
    page_index: int
    has_more: bool


class ProviderClient(ABC):
    """A provider API: send a batch, read back per-message results."""

    name: str
    max_batch: int

    def send(self, request: SendRequest) -> SendReceipt:
        """Check the batch, call the provider, log the outcome (never the secrets)."""
        if not request.messages:
            raise ValueError("a provider request needs at least one message")
        if len(request.messages) > self.max_batch:
            raise ValueError(f"{self.name} takes at most {self.max_batch} messages per request")
        started = time.monotonic()
        receipt = self._send(request)
        log.info(
            "sent provider=%s request_id=%s messages=%d elapsed_ms=%.0f",
            self.name,
            receipt.request_id,
            len(request.messages),
            (time.monotonic() - started) * 1000,
        )
        return receipt

    @abstractmethod
    def _send(self, request: SendRequest) -> SendReceipt:
        """Make the provider call for one checked request."""

    @abstractmethod
    def results_for_request(self, request_id: str) -> Iterator[MessageResult]:
        """Every message of one accepted request, paging until the provider has no more."""

    @abstractmethod
    def result_for_message(self, message_id: str) -> MessageResult | None:
        """One message's result, or None when the provider does not know it."""

    def result_pages(self, request_id: str) -> Iterator[ResultPage]:
        """One request's results page by page; by default all of them as one page."""
        yield ResultPage(list(self.results_for_request(request_id)), 0, False)

    def completed_pages(
        self, start: datetime, end: datetime, now: datetime
    ) -> Iterator[ResultPage]:
        """Results completed in [start, end), page by page; none for a provider with no sweep."""
        return iter(())

    def sweep_cost(self, start: datetime, now: datetime, load: int) -> int | None:
        """Calls a completed-time sweep of [start, now) would take; None: cannot sweep."""
        return None

    def reservation_status(self, reserve_id: str) -> str:
        """The provider's status of a reserved request (SENS: READY … DONE)."""
        raise NotImplementedError(f"{self.name} has no reserved sends")

    def cancel_reservation(self, reserve_id: str) -> None:
        """Withdraw a reserved request before its time."""
        raise NotImplementedError(f"{self.name} has no reserved sends")

    def opted_out_numbers(self) -> Iterator[str]:
        """Numbers that opted out at the provider (080 call blocks); none by default."""
        return iter(())
