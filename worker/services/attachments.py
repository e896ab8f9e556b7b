"""A campaign's MMS images as the provider's file ids: uploaded once per provider and content,
reused until they expire, uploaded again when they did or the provider says they are gone."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from worker.db import images
from worker.db.types import utcnow
from worker.providers.base import ProviderClient

log = logging.getLogger(__name__)

# A file this close to its expiry is uploaded again: a batch sent now, or retried a little
# later, must not name a file that lapses on the way.
MARGIN = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Attachments:
    """Uploads and remembers one provider's files."""

    engine: Engine
    client: ProviderClient

    def file_ids(self, campaign_id: int) -> list[str]:
        """The provider's file id of each of the campaign's images, in order."""
        with self.engine.connect() as conn:
            found = images.of_campaign(conn, campaign_id)
        return [self._file_id(image.name, image.sha256, image.data) for image in found]

    def forget(self, file_ids: Sequence[str]) -> None:
        """The provider no longer holds these: the next send uploads them again."""
        with self.engine.begin() as conn:
            gone = images.forget_files(conn, self.client.name, file_ids)
        log.warning("provider=%s forgot %d gone files %s", self.client.name, gone, list(file_ids))

    def _file_id(self, name: str, sha256: str, data: bytes) -> str:
        """A live upload of this content, or a new one (one uploader at a time per content)."""
        now = utcnow()
        with self.engine.begin() as conn:
            images.lock_content(conn, self.client.name, sha256)
            known = images.live_file(conn, self.client.name, sha256, now + MARGIN)
            if known is not None:
                return known
            uploaded = self.client.upload_image(name, data)
            expires = uploaded.expires_at or now + self._keep()
            images.keep_file(conn, self.client.name, sha256, uploaded.file_id, now, expires)
        log.info("provider=%s uploaded %s as file %s (until %s)", self.client.name, name,
                 uploaded.file_id, expires.isoformat())  # fmt: skip
        return uploaded.file_id

    def _keep(self) -> timedelta:
        limits = self.client.entry.capabilities.images
        return limits.keep if limits is not None else timedelta(days=1)
