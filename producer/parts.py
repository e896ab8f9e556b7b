"""The SMS parts a campaign's messages abroad take (GSM-7 / UCS-2 segments), for the report."""

from sqlalchemy import Engine

from worker.db import campaigns, recipients
from worker.domain import template as templates
from worker.domain.messages import MessageType
from worker.domain.segments import segments

INTL = MessageType.INTL.value


def count_abroad(engine: Engine, campaign_id: int, template: str) -> tuple[int, int]:
    """(recipients abroad, SMS parts their messages take), stored on the campaign.

    One COUNT for a template without variables; else the rows abroad are streamed once and
    each message rendered, as it will be sent."""
    with engine.connect() as conn:
        count = recipients.count_of_type(conn, campaign_id, INTL)
        if not count or not templates.variables(template):
            parts = count * segments(template).parts
        else:
            rows = recipients.variables_of_type(conn, campaign_id, INTL)
            parts = sum(segments(templates.render(template, row or {})).parts for row in rows)
    with engine.begin() as conn:
        campaigns.set_abroad(conn, campaign_id, count, parts)
    return count, parts
