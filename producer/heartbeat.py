"""The import's heartbeat: a thread stamps the campaign while the import runs, so beat can
tell a slow import (stamped) from one whose producer died (silent)."""

import logging
import threading
from types import TracebackType

from sqlalchemy import Engine

from worker.db import campaigns
from worker.db.types import utcnow

log = logging.getLogger(__name__)

# Well under send.import_silence_seconds (120 s by default).
BEAT_SECONDS = 10.0


class Heartbeat:
    """`with Heartbeat(engine, campaign_id):` stamps at once, then every `every` seconds."""

    def __init__(self, engine: Engine, campaign_id: int, every: float = BEAT_SECONDS) -> None:
        self.engine, self.campaign_id, self.every = engine, campaign_id, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="import-heartbeat", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._stamp()
        self._thread.start()
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self._stamp()
            except Exception as exc:  # the import itself reports a lost database
                log.warning("import heartbeat of campaign %s failed: %s", self.campaign_id, exc)

    def _stamp(self) -> None:
        with self.engine.begin() as conn:
            campaigns.import_alive(conn, self.campaign_id, utcnow())
