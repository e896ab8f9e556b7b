"""One polling round per provider: expire what is overdue, then sweep or ask by requestId.

A sweep reads every result completed since the provider's watermark, for all campaigns at
once, page by page (SENS: complete-time windows of at most 24 h, 100 results a page). Asking
by requestId costs at least one call per batch and reads a batch again until every message
in it is final. The round picks whichever its estimate says is cheaper, asks old batches
that still wait by requestId (results the sweep's overlap did not catch), and records what
it spent in poll_round.
"""

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine

from config.settings import PollSettings, ResendSettings
from worker.db import batches, polls, recipients
from worker.db.members import BatchRef
from worker.db.types import utcnow
from worker.domain.statuses import RecipientStatus as R
from worker.providers.base import MessageResult, ProviderClient, ResultPage, SentRequest
from worker.providers.errors import ProviderError, SlowDown
from worker.services import reservations
from worker.services.applying import apply_for_requests
from worker.services.backoff import delay
from worker.services.progress import refresh

log = logging.getLogger(__name__)

# Results read by requestId are applied together once this many are at hand.
APPLY_AT_ONCE = 5_000


class PollMode(StrEnum):
    """How a round asked the provider."""

    IDLE = "idle"
    SWEEP = "sweep"
    REQUEST_ID = "request_id"


@dataclass
class PollRound:
    """What one polling round did and cost, for logs, poll_round and the status command."""

    mode: PollMode = PollMode.IDLE
    calls: int = 0
    batches: int = 0
    completed_batches: int = 0
    results_applied: int = 0
    expired: int = 0
    errors: int = 0
    campaigns: set[int] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Poller:
    """Polls one provider's accepted batches."""

    engine: Engine
    client: ProviderClient
    settings: PollSettings
    resend: ResendSettings
    # Hands a group of batch ids to another process to poll (poll_batches); None: never.
    fan_out: Callable[[list[int]], None] | None = None
    # False for a provider that has no result query (API PLEX): a round only expires.
    asks: bool = True

    def poll_due(self, now: datetime | None = None) -> PollRound:
        """One round: expire overdue batches, fetch results the cheaper way, reschedule.
        `now` is the round's clock (tests set it; the task leaves it to the wall clock)."""
        now = now or utcnow()
        round_ = PollRound()
        self._expire(now, round_)
        if not self.asks:
            return self._idle([], now, round_)
        with self.engine.connect() as conn:
            due = batches.due_for_poll(conn, self.client.name, now, self.settings.batches_per_round)
            if not due:
                # Nothing to ask for: skip the cost estimate, which counts awaited results.
                return self._idle(due, now, round_)
            mark = polls.watermark(conn, self.client.name)
            start = self._sweep_start(conn, mark)
            cost = self._sweep_cost(conn, start, now)
            covers_all = len(due) == batches.open_count(conn, self.client.name)
        ready = reservations.check(self.engine, self.client, due, now)
        round_.mode = self._choose(ready, cost)
        if round_.mode is PollMode.REQUEST_ID and self._fans_out(ready):
            return self._hand_out(due, ready, now, round_)
        try:
            self._fetch(round_, ready, start, mark, now)
            if round_.mode is PollMode.REQUEST_ID and covers_all and not round_.errors:
                # Every open batch was read in full: nothing before now is left to sweep.
                self._advance(mark, now)
        except SlowDown as exc:
            log.warning("poll provider=%s slowed down: %s", self.client.name, exc)
            round_.errors += 1
        self._reschedule(due, now, round_)
        self._record(round_, now)
        return round_

    def poll_batches(self, batch_ids: list[int]) -> PollRound:
        """Ask for the given batches' results by requestId (a group a round handed out)."""
        now = utcnow()
        round_ = PollRound(mode=PollMode.REQUEST_ID)
        with self.engine.connect() as conn:
            rows = batches.for_poll(conn, batch_ids)
        try:
            self._by_request(rows, round_)
        except SlowDown as exc:
            log.warning("poll provider=%s slowed down: %s", self.client.name, exc)
            round_.errors += 1
        self._reschedule(rows, now, round_)
        self._record(round_, now)
        return round_

    def _fans_out(self, ready: list[Any]) -> bool:
        size = self.settings.fan_out_batches
        return self.fan_out is not None and size > 0 and len(ready) > size

    def _hand_out(
        self, due: list[Any], ready: list[Any], now: datetime, round_: PollRound
    ) -> PollRound:
        """Lease the ready batches and hand them out in groups; the rest are rescheduled."""
        assert self.fan_out is not None
        ids = [batch.id for batch in ready]
        with self.engine.begin() as conn:
            lease = timedelta(seconds=self.settings.fan_out_lease_seconds)
            batches.lease_polls(conn, ids, now + lease)
        size = self.settings.fan_out_batches
        for start in range(0, len(ids), size):
            self.fan_out(ids[start : start + size])
        handed = set(ids)
        self._reschedule([b for b in due if b.id not in handed], now, round_)
        round_.batches = len(due)
        log.info("poll provider=%s handed out batches=%d", self.client.name, len(ids))
        return round_

    def _idle(self, due: list[Any], now: datetime, round_: PollRound) -> PollRound:
        """Finish a round that asks nothing (campaigns an expiry touched are still refreshed)."""
        self._reschedule(due, now, round_)
        self._record(round_, now)
        return round_

    def _fetch(
        self, round_: PollRound, due: list[Any], start: Any, mark: Any, now: datetime
    ) -> None:
        if round_.mode is PollMode.SWEEP:
            self._sweep(round_, start, mark, now)
            old = now - timedelta(seconds=self.settings.catchup_after_seconds)
            self._by_request([b for b in due if b.sent_at and b.sent_at < old], round_)
        elif round_.mode is PollMode.REQUEST_ID:
            self._by_request(due, round_)

    def _sweep_start(self, conn: Any, mark: datetime | None) -> datetime | None:
        """Where a sweep begins: the watermark, or the oldest open batch's send if later.

        Results of batches sent before the watermark were read by an earlier sweep or by
        requestId; a result can only complete after its batch was sent. The overlap re-reads
        the edge, where results are indexed late.
        """
        oldest = batches.oldest_open_sent(conn, self.client.name)
        begin = max(mark, oldest) if mark and oldest else (mark or oldest)
        if begin is None:
            return None
        return begin - timedelta(seconds=self.settings.sweep_overlap_seconds)

    def _sweep_cost(self, conn: Any, start: datetime | None, now: datetime) -> int | None:
        if start is None:
            return None
        return self.client.sweep_cost(start, now, batches.sweep_load(conn, self.client.name, start))

    def _choose(self, due: list[Any], cost: int | None) -> PollMode:
        """The cheaper way to learn the due batches' results; IDLE when nothing is due."""
        if not due:
            return PollMode.IDLE
        if self.settings.mode != "auto":
            forced = PollMode(self.settings.mode)
            return (
                forced if forced is PollMode.REQUEST_ID or cost is not None else PollMode.REQUEST_ID
            )
        # Strictly cheaper only: asking by requestId also reads what is still in progress.
        if cost is not None and cost < len(due):
            return PollMode.SWEEP
        return PollMode.REQUEST_ID

    def _sweep(
        self, round_: PollRound, start: datetime | None, mark: datetime | None, now: datetime
    ) -> None:
        if start is None:
            return
        for page in self.client.completed_pages(start, now, now):
            round_.calls += 1
            self._apply_page(page, round_)
        self._advance(mark, now)

    def _advance(self, mark: datetime | None, now: datetime) -> None:
        with self.engine.begin() as conn:
            polls.advance(conn, self.client.name, mark, now)

    def _by_request(self, due: Iterable[Any], round_: PollRound) -> None:
        """Read each batch's results by requestId, then apply them all at once (one
        transaction, one statement per kind of row, however many batches)."""
        found: list[MessageResult] = []
        try:
            for batch in due:
                found.extend(self._read(batch, round_))
                if len(found) >= APPLY_AT_ONCE:
                    self._apply(found, round_)
                    found = []
        finally:
            self._apply(found, round_)

    def _read(self, batch: Any, round_: PollRound) -> list[MessageResult]:
        sent = SentRequest(batch.request_id, batch.message_type, batch.sent_at)
        results: list[MessageResult] = []
        try:
            for page in self.client.result_pages(sent):
                round_.calls += 1
                results.extend(r for r in page.results if r.completed)
        except SlowDown:
            raise
        except ProviderError as exc:
            log.warning("poll of batch=%s failed: %s", batch.id, exc)
            round_.errors += 1
        return results

    def _apply_page(self, page: ResultPage, round_: PollRound) -> None:
        """Apply one page of a sweep, whatever batches its results belong to."""
        self._apply([r for r in page.results if r.completed], round_)

    def _apply(self, found: Sequence[MessageResult], round_: PollRound) -> None:
        """Apply completed results in one transaction; complete the batches they finished."""
        if not found:
            return
        with self.engine.begin() as conn:
            done = apply_for_requests(conn, self.client.name, found, self.resend, utcnow())
        round_.results_applied += done.results
        round_.completed_batches += len(done.completed)
        round_.campaigns.update(done.campaigns)

    def _expire(self, now: datetime, round_: PollRound) -> None:
        """Recipients still without a final result at the deadline become expired."""
        cutoff = now - timedelta(hours=self.settings.result_deadline_hours)
        with self.engine.begin() as conn:
            for batch in batches.overdue(conn, self.client.name, cutoff):
                expired = recipients.close(conn, BatchRef.of(batch), R.EXPIRED, "EXPIRED", now)
                batches.settle(conn, batch.id, expired)
                round_.expired += expired
                batches.after_poll(conn, batch.id, now, now)
                round_.campaigns.add(batch.campaign_id)
        if round_.expired:
            log.warning(
                "provider=%s expired=%d recipients without a result after %s h",
                self.client.name,
                round_.expired,
                self.settings.result_deadline_hours,
            )

    def _reschedule(self, due: Sequence[Any], now: datetime, round_: PollRound) -> None:
        """Complete batches with nothing left to learn; poll the others again later."""
        with self.engine.begin() as conn:
            done = set(batches.complete_many(conn, [b.id for b in due], now))
            later = {
                b.id: now + delay(self.settings.backoff_seconds, b.poll_count + 1)
                for b in due
                if b.id not in done
            }
            batches.poll_later(conn, later)
            round_.completed_batches += len(done)
            round_.campaigns.update(b.campaign_id for b in due)
            for campaign_id in round_.campaigns:
                refresh(conn, campaign_id, now)
        round_.batches = len(due)

    def _record(self, round_: PollRound, now: datetime) -> None:
        if not (round_.calls or round_.expired):
            return
        with self.engine.begin() as conn:
            polls.record_round(
                conn,
                provider=self.client.name,
                mode=round_.mode.value,
                started_at=now,
                calls=round_.calls,
                results=round_.results_applied,
                batches=round_.batches,
                expired=round_.expired,
            )
        log.info(
            "poll provider=%s mode=%s calls=%d batches=%d applied=%d completed=%d "
            "expired=%d errors=%d",
            self.client.name,
            round_.mode,
            round_.calls,
            round_.batches,
            round_.results_applied,
            round_.completed_batches,
            round_.expired,
            round_.errors,
        )
