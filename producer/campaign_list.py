"""`bulksms campaign list`: the newest campaigns, their status, providers and progress."""

from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from config import providers
from config.settings import get_settings
from producer.schedule import phase
from worker.db import campaigns
from worker.db.campaigns import Listed
from worker.db.engine import get_engine
from worker.db.types import utcnow

HEADERS = ("id", "name", "status", "provider", "progress", "delivered")
console = Console()


def list_campaigns(
    limit: Annotated[int, typer.Option(min=1, help="How many campaigns, newest first.")] = 20,
) -> None:
    """The newest campaigns: id, name, status, provider(s), final/total and delivered rate."""
    with get_engine(get_settings().database_url).connect() as conn:
        listed = campaigns.listing(conn, limit)
    if not listed:
        console.print("no campaigns yet: create one with `bulksms campaign create`")
        return
    table = Table(*HEADERS, title=f"the {len(listed)} newest campaigns")
    now = utcnow()
    for item in listed:
        table.add_row(*campaign_row(item, now))
    console.print(table)


def campaign_row(item: Listed, now: datetime) -> tuple[str, ...]:
    """One campaign as the list shows it."""
    campaign = item.campaign
    status = phase(campaign.status, campaign.schedule_mode, campaign.scheduled_at, now)
    progress = f"{item.final:,}/{campaign.total_recipients:,}"
    return (str(campaign.id), campaign.name, status, carriers(item), progress, delivered(item))


def carriers(item: Listed) -> str:
    """The campaign's provider; for `auto`, also those its batches went through."""
    if item.campaign.provider != providers.AUTO:
        return str(item.campaign.provider)
    return f"auto ({', '.join(item.providers)})" if item.providers else "auto"


def delivered(item: Listed) -> str:
    """Delivered of the recipients sent whose result is in, or `—` before any is."""
    return f"{item.delivered / item.sent_final:.1%}" if item.sent_final else "—"
