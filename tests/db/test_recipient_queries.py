"""Recipient queries: cancels spare what a provider holds, suppression, outcomes, counts."""

from tests.db.conftest import T0
from worker.db import recipients

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
