"""Queries on MMS images: a campaign's own, and the files each provider holds by content hash."""

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from worker.db.models import CampaignImage, ProviderFile


def add_to_campaign(conn: Connection, campaign_id: int, images: Sequence[Any]) -> None:
    """Keep the campaign's images (name, data, sha256 each), in order."""
    rows = [
        {"campaign_id": campaign_id, "position": i, "name": image.name, "sha256": image.sha256,
         "data": image.data}
        for i, image in enumerate(images)
    ]  # fmt: skip
    if rows:
        conn.execute(insert(CampaignImage), rows)


def of_campaign(conn: Connection, campaign_id: int) -> list[Any]:
    """The campaign's images (name, sha256, data), in order."""
    query = (
        select(CampaignImage.name, CampaignImage.sha256, CampaignImage.data)
        .where(CampaignImage.campaign_id == campaign_id)
        .order_by(CampaignImage.position)
    )
    return list(conn.execute(query))


def live_file(conn: Connection, provider: str, sha256: str, until: datetime) -> str | None:
    """The provider's file id for this content that is still usable at `until`, if any."""
    query = select(ProviderFile.file_id).where(
        ProviderFile.provider == provider,
        ProviderFile.sha256 == sha256,
        ProviderFile.expires_at > until,
    )
    return conn.execute(query).scalar()


def keep_file(
    conn: Connection, provider: str, sha256: str, file_id: str, now: datetime, expires: datetime
) -> None:
    """Record an upload (replacing an older one of the same content)."""
    values = {"provider": provider, "sha256": sha256, "file_id": file_id,
              "uploaded_at": now, "expires_at": expires}  # fmt: skip
    conn.execute(delete(ProviderFile).where(
        ProviderFile.provider == provider, ProviderFile.sha256 == sha256))  # fmt: skip
    conn.execute(insert(ProviderFile).values(**values))


def forget_files(conn: Connection, provider: str, file_ids: Sequence[str]) -> int:
    """The provider said these files are gone: the next send uploads them again."""
    statement = delete(ProviderFile).where(
        ProviderFile.provider == provider, ProviderFile.file_id.in_(list(file_ids))
    )
    return conn.execute(statement).rowcount


def lock_content(conn: Connection, provider: str, sha256: str) -> None:
    """Hold the upload of this content for this transaction: two workers sending the same
    image at once upload it once (PostgreSQL advisory lock; SQLite writes one at a time)."""
    if conn.dialect.name == "postgresql":
        # The same key in every process (Python's hash() is salted per process).
        key = int(hashlib.sha256(f"{provider}:{sha256}".encode()).hexdigest()[:15], 16)
        conn.execute(select(func.pg_advisory_xact_lock(key)))
