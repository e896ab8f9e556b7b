"""Recipient queries: cancels spare what a provider holds, suppression, outcomes, counts."""

from collections.abc import Iterator

import pytest
from sqlalchemy import delete, select, text, update

from tests.db.conftest import MIN, T0, Rows, _rolled_back
from worker.db import recipients
from worker.db.engine import get_engine
from worker.db.members import BatchRef
from worker.db.models import Campaign, Recipient
from worker.domain.statuses import RecipientStatus as R

# A change lists the columns whose value changed: next_attempt_at only where it was set.
CANCELLED = {"status": "cancelled", "result_code": "CANCELLED", "result_family": "internal",
             "result_outcome": "failed", "completed_at": T0}  # fmt: skip


def test_a_cancel_spares_the_open_members_of_batches_sent_or_accepted(conn, rows, watch):
    campaign, other = rows.campaign(), rows.campaign()
    phone = iter(f"010000000{i:02d}" for i in range(20)).__next__
    in_range, lms_in_range = rows.recipient(campaign, phone()), rows.recipient(
        campaign, phone(), message_type="LMS")  # fmt: skip
    beyond = rows.recipient(campaign, phone())
    rows.batch(campaign, status="sending", first_id=in_range, last_id=lms_in_range)
    rows.batch(other, status="sending", first_id=beyond, last_id=beyond)  # another campaign's
    accepted = rows.batch(campaign, status="accepted")
    dropped = rows.batch(campaign, status="cancelled")
    listed = rows.recipient(campaign, phone(), status="batched", batch_id=accepted)
    unlisted = rows.recipient(campaign, phone(), status="batched", batch_id=dropped)
    waiting = rows.recipient(campaign, phone(), status="retry_wait", next_attempt_at=T0)
    rows.recipient(campaign, phone(), status="delivered")
    rows.recipient(other, phone())
    with watch() as seen:
        assert recipients.cancel_unsent(conn, campaign, T0) == 4
    cancelled = {("recipient", r): CANCELLED for r in (lms_in_range, beyond, unlisted)}
    cancelled["recipient", waiting] = {**CANCELLED, "next_attempt_at": None}
    assert seen.diff == cancelled
    assert ("recipient", in_range) not in seen.diff and ("recipient", listed) not in seen.diff


def test_a_cancel_takes_members_of_batches_not_yet_sent(conn, rows, watch):
    campaign = rows.campaign()
    members = []
    for n, status in enumerate(("planned", "retry", "unsure", "completed")):
        members.append(rows.recipient(campaign, f"0100000000{n}"))
        rows.batch(campaign, status=status, first_id=members[-1], last_id=members[-1])
    with watch() as seen:
        assert recipients.cancel_unsent(conn, campaign, T0) == 4
    assert seen.diff == {("recipient", member): CANCELLED for member in members}


def test_numbers_listed_since_are_suppressed_above_the_id_given(conn, rows, watch):
    campaign = rows.campaign()
    for phone in ("01011112222", "01055556666"):
        rows.add("suppression", phone=phone)
    before = rows.recipient(campaign, "01055556666")
    listed = rows.recipient(rows.campaign(), "01011112222")  # another campaign's
    mine = rows.recipient(campaign, "01011112222", message_type="LMS")
    rows.recipient(campaign, "01033334444")
    rows.add("suppression", phone="01077778888")
    rows.recipient(campaign, "01077778888", status="delivered")  # listed, but already final
    with watch() as seen:
        assert recipients.suppress_listed_since(conn, campaign, before, T0) == 1
    change = {"status": "suppressed", "result_outcome": "suppressed", "completed_at": T0}
    assert seen.diff == {("recipient", mine): change}
    assert ("recipient", listed) not in seen.diff


def test_outcomes_stream_the_statuses_asked_in_id_order_with_their_provider(conn, rows):
    campaign = rows.campaign(provider="nhn")
    batch = rows.batch(campaign, provider="apiplex")
    failed = {"status": "failed", "result_code": "E1", "result_family": "f"}
    rows.recipient(campaign, "01000000002", variables={"n": "a"}, batch_id=batch, **failed)
    rows.recipient(campaign, "01000000001", status="delivered")
    rows.recipient(campaign, "01000000003", status="expired")
    rows.recipient(rows.campaign(), "01000000004", status="failed")
    read = list(recipients.outcomes_of(conn, campaign, ["failed", "expired"], chunk=1))
    assert [row.provider for row in read] == ["apiplex", "nhn"]
    assert [tuple(row) for row in read] == [
        ("01000000002", {"n": "a"}, "failed", "E1", "f", "apiplex"),
        ("01000000003", None, "expired", None, None, "nhn"),
    ]


def test_counts_and_the_last_id(conn, rows):
    assert recipients.last_id(conn) == 0  # no recipient yet
    campaign = rows.campaign()
    rows.recipient(campaign, "01000000001")
    last = rows.recipient(campaign, "01000000002", message_type="LMS")
    rows.recipient(rows.campaign(), "01000000001")
    assert recipients.count(conn, campaign) == 2
    assert recipients.count_of_type(conn, campaign, "LMS") == 1
    assert recipients.last_id(conn) == last + 1


def test_due_retries_reads_the_due_waits_of_sending_campaigns_group_by_group(conn, rows):
    first = rows.campaign(provider="nhn", content_type="AD", schedule_mode="later")
    second = rows.campaign(status="awaiting_results", sender="0311112222")
    paused = rows.campaign(status="paused", paused_from="dispatching")

    def wait(campaign: int, due: object = T0 - MIN, **values: object) -> int:
        phone = f"010{campaign:04d}{len(made):04d}"
        values = {"status": "retry_wait", "attempts": 1, "next_attempt_at": due, **values}
        made.append(rows.recipient(campaign, phone, **values))
        return made[-1]

    made: list[int] = []
    # Stored with the groups interleaved; they come back one (campaign, type, attempts) at a time.
    sms, at_now, lms, again, sms_later = (
        wait(first), wait(second, T0), wait(first, message_type="LMS"), wait(first, attempts=2),
        wait(first),
    )  # fmt: skip
    wait(first, T0 + MIN)  # not due yet
    wait(first, status="pending")  # its wait ended another way
    wait(paused)  # waits for the resume
    due = recipients.due_retries(conn, T0, 10)
    assert [row.id for row in due] == [lms, sms, sms_later, again, at_now]
    assert tuple(due[0]) == (lms, first, "nhn", "0212345678", "LMS", 1, "AD", "later")
    assert tuple(due[-1]) == (at_now, second, "sens", "0311112222", "SMS", 1, "COMM", None)
    assert [row.id for row in recipients.due_retries(conn, T0, 2)] == [lms, sms]


@pytest.fixture()
def committed(db_url: str) -> Iterator[Rows]:
    """Rows other connections see once the test commits them; deleted after it (the other
    tests of the module commit nothing)."""
    with get_engine(db_url).connect() as connection:
        yield Rows(connection)
        connection.rollback()
        connection.execute(delete(Recipient))
        connection.execute(delete(Campaign))
        connection.commit()


def test_due_retries_skips_what_another_round_holds_and_locks_no_campaign(db_url, committed):
    campaign = committed.campaign()
    held, free = (committed.recipient(campaign, f"0100000000{n}", status="retry_wait",
                                      next_attempt_at=T0) for n in range(2))  # fmt: skip
    committed.conn.commit()
    with _rolled_back(db_url) as other, _rolled_back(db_url) as mine:
        # Another round took this one and has not committed yet.
        other.execute(select(Recipient.id).where(Recipient.id == held).with_for_update())
        # A send refreshing the campaign's counts holds its row meanwhile.
        other.execute(update(Campaign).where(Campaign.id == campaign).values(name="c2"))
        mine.execute(text("SET LOCAL lock_timeout = '2s'"))  # a wait fails instead of hanging
        assert [row.id for row in recipients.due_retries(mine, T0, 10)] == [free]


def test_assign_retries_moves_the_named_waits_alone(conn, rows, watch):
    campaign = rows.campaign()
    batch, taken_by = rows.batch(campaign), rows.batch(campaign)
    waits = [rows.recipient(campaign, f"0100000000{n}", status="retry_wait", attempts=n + 1,
                            next_attempt_at=T0) for n in range(3)]  # fmt: skip
    taken = rows.recipient(campaign, "01000000009", status="batched", batch_id=taken_by)
    named = [{"b_id": r, "b_batch": batch} for r in (waits[0], waits[1], taken)]
    with watch() as seen:
        assert recipients.assign_retries(conn, named) == 2
        assert recipients.assign_retries(conn, []) == 0
    moved = {"status": "batched", "batch_id": batch, "next_attempt_at": None}
    assert seen.diff == {
        ("recipient", waits[0]): {**moved, "attempts": 2},
        ("recipient", waits[1]): {**moved, "attempts": 3},
    }


def test_closing_no_ids_closes_nothing(conn, rows, watch):
    campaign = rows.campaign()
    member = rows.recipient(campaign, "01000000001")
    batch = rows.batch(campaign, first_id=member, last_id=member, status="accepted")
    with watch() as seen:
        closed = recipients.close(conn, BatchRef(batch, campaign, "SMS", 1, member, member),
                                  R.FAILED, "RENDER", T0, ids=[])  # fmt: skip
    assert (closed, seen.diff) == (0, {})
