"""Build a provider request from a batch: render each recipient's message from the template."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from worker.domain.messages import ContentType, MessageError, MessageType, check_content
from worker.domain.template import TemplateError, render
from worker.providers.base import OutgoingMessage, SendRequest


@dataclass(frozen=True, slots=True)
class Rendered:
    """The request for the recipients that rendered, and why the others could not."""

    request: SendRequest | None
    failures: dict[int, str]


def build_request(campaign: Any, message_type: str, rows: Sequence[Any]) -> Rendered:
    """One SendRequest for `rows` (id, phone, variables); unrenderable rows are reported."""
    kind = MessageType(message_type)
    messages: list[OutgoingMessage] = []
    failures: dict[int, str] = {}
    for row in rows:
        try:
            content = render(campaign.template, row.variables or {})
            check_content(content, kind)
        except (TemplateError, MessageError) as exc:
            failures[row.id] = str(exc)
            continue
        messages.append(OutgoingMessage(to=row.phone, content=content))
    if not messages:
        return Rendered(None, failures)
    request = SendRequest(
        message_type=kind,
        content_type=ContentType(campaign.content_type),
        sender=campaign.sender,
        # SENS needs a default `content`; every message carries its own rendered one.
        content=messages[0].content,
        subject=campaign.subject if kind is not MessageType.SMS else None,
        country_code=campaign.country_code,
        messages=messages,
    )
    return Rendered(request, failures)
