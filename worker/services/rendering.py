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


def build_request(campaign: Any, batch: Any, rows: Sequence[Any]) -> Rendered:
    """One SendRequest for `rows` (id, phone, variables); unrenderable rows are reported.

    Each message carries its rendered text and the values it was rendered from, so that a
    provider that fills the template itself (NHN) sends exactly what was checked here.
    """
    kind = MessageType(batch.message_type)
    messages: list[OutgoingMessage] = []
    failures: dict[int, str] = {}
    for row in rows:
        values = row.variables or {}
        try:
            content = render(campaign.template, values)
            check_content(content, kind)
        except (TemplateError, MessageError) as exc:
            failures[row.id] = str(exc)
            continue
        messages.append(OutgoingMessage(to=row.phone, content=content, variables=values))
    if not messages:
        return Rendered(None, failures)
    request = SendRequest(
        message_type=kind,
        content_type=ContentType(campaign.content_type),
        sender=campaign.sender,
        messages=messages,
        template=campaign.template,
        subject=campaign.subject if kind is not MessageType.SMS else None,
        country_code=campaign.country_code,
        batch_id=batch.id,
    )
    return Rendered(request, failures)
