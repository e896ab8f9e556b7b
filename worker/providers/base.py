"""The provider interface: one small base class whose `send` is a template method."""

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from worker.domain.messages import ContentType, MessageType

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

    @property
    def completed(self) -> bool:
        """True once the provider has a final reception code for this message."""
        return self.code is not None


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

    def opted_out_numbers(self) -> Iterator[str]:
        """Numbers that opted out at the provider (080 call blocks); none by default."""
        return iter(())
