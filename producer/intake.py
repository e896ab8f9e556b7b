"""An import in progress: it starts the campaign on its first committed chunk and asks for
planning again as chunks land, so the first send goes out while the file is still read."""

import threading
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, Engine

from worker.db import campaigns
from worker.db.bulk import Landed
from worker.db.types import utcnow
from worker.domain.statuses import CampaignStatus as C

# Planning is asked for again at most this often while chunks land (it cuts what is there).
REPLAN_SECONDS = 0.5
# Where an import that stopped half-way leaves its campaign: nothing more is sent.
STOPPABLE = (C.DRAFT, C.QUEUED, C.DISPATCHING, C.SCHEDULED)


class Intake:
    """Counts what landed and moves the campaign on; `committed` runs on the loader's thread."""

    def __init__(
        self,
        engine: Engine,
        campaign_id: int,
        starts_now: bool,
        plan: Callable[[int], None],
        cancel: Callable[[int], None],
    ) -> None:
        self.engine = engine
        self.campaign_id = campaign_id
        self.starts_now = starts_now
        self.plan = plan
        self.cancel = cancel
        self.imported = 0
        self.suppressed = 0
        self.started = False
        self._asked = 0.0
        self._lock = threading.Lock()

    def committed(self, landed: Landed) -> None:
        """One chunk is in the database: count it, start or re-plan the campaign."""
        with self._lock:
            self.imported += landed.inserted
            self.suppressed += landed.suppressed
            with self.engine.begin() as conn:
                campaigns.set_total(conn, self.campaign_id, self.imported)
                if self.starts_now and not self.started and self.imported > self.suppressed:
                    self.started = campaigns.transition(
                        conn, self.campaign_id, [C.DRAFT], C.QUEUED, queued_at=utcnow()
                    )
            if self.started and time.monotonic() - self._asked >= REPLAN_SECONDS:
                self._ask()

    def finish(self, waits: bool) -> C:
        """The import ended: record it, settle the first status, ask for the last planning."""
        now = utcnow()
        with self.engine.begin() as conn:
            campaigns.mark_imported(conn, self.campaign_id, self.imported, now)
            status = self._first_status(conn, waits, now)
        if status in (C.QUEUED, C.DISPATCHING):
            self._ask()  # cuts the short last batches and marks the campaign planned
        return status

    def stop(self) -> bool:
        """The import failed: True when some of it was already queued (the campaign is then
        stopped; its first sends may be out), False when nothing was (the campaign is gone)."""
        with self.engine.begin() as conn:
            if not self.started and campaigns.delete_draft(conn, self.campaign_id):
                return False
            # Cancelling at once: no batch is claimed from now on; the cancel task finishes it.
            campaigns.transition(conn, self.campaign_id, STOPPABLE, C.CANCELLING)
        self.cancel(self.campaign_id)
        return True

    def _first_status(self, conn: Connection, waits: bool, now: datetime) -> C:
        if self.started:
            return C.QUEUED
        if self.imported <= self.suppressed:
            new, stamp = C.COMPLETED, {"completed_at": now, "planned_at": now}
        else:
            new, stamp = (C.SCHEDULED if waits else C.QUEUED), {}
        campaigns.transition(conn, self.campaign_id, [C.DRAFT], new, queued_at=now, **stamp)
        return new

    def _ask(self) -> None:
        self._asked = time.monotonic()
        self.plan(self.campaign_id)
