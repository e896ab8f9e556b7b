"""Campaign queries change the campaigns their guards name, exactly, and no other."""

import pytest

from tests.db.conftest import MIN, T0, without_plan_order
from worker.db import campaigns
from worker.domain.statuses import CampaignStatus as C

PAUSABLE = {C.SCHEDULED, C.QUEUED, C.DISPATCHING, C.AWAITING_RESULTS}


@pytest.mark.parametrize("status", list(C))
def test_pause_takes_an_open_campaign_alone_and_remembers_its_status(conn, rows, watch, status):
    target, _ = (rows.campaign(status=status.value) for _ in range(2))
    with watch() as seen:
        paused = campaigns.pause(conn, target, T0)
    assert paused is (status in PAUSABLE)
    change = {"status": "paused", "paused_from": status.value, "paused_at": T0}
    assert seen.diff == ({("campaign", target): change} if paused else {})


def test_resume_brings_back_the_status_of_that_campaign_alone(conn, rows, watch):
    paused = {"status": "paused", "paused_from": "dispatching", "paused_at": T0}
    target, _ = (rows.campaign(**paused) for _ in range(2))
    with watch() as seen:
        assert campaigns.resume(conn, target) == "dispatching"
        assert campaigns.resume(conn, target) is None
    change = {"status": "dispatching", "paused_from": None, "paused_at": None}
    assert seen.diff == {("campaign", target): change}


def test_delete_draft_removes_that_draft_and_its_recipients_alone(conn, rows, watch):
    target, other = rows.campaign(status="draft"), rows.campaign(status="draft")
    mine, theirs = rows.recipient(target, "01000000001"), rows.recipient(other, "01000000001")
    with watch() as seen:
        assert campaigns.delete_draft(conn, target) is True
    removed = {("campaign", target), ("recipient", mine)}
    assert seen.diff == dict.fromkeys(removed, "removed")
    assert ("recipient", theirs) not in seen.diff


def test_delete_draft_keeps_a_campaign_that_left_draft(conn, rows, watch):
    queued = rows.campaign(status="queued")
    rows.recipient(queued, "01000000001")
    with watch() as seen:
        assert campaigns.delete_draft(conn, queued) is False
    assert seen.diff == {}


def test_mark_all_sent_moves_planned_dispatching_campaigns_with_nothing_unsent(conn, rows, watch):
    done = rows.campaign(planned_at=T0)
    rows.batch(done, status="accepted")
    unsent = {s: rows.campaign(planned_at=T0) for s in ("planned", "sending", "retry", "unsure")}
    for status, campaign in unsent.items():
        rows.batch(campaign, status=status)
    rows.campaign()  # not fully planned yet
    rows.campaign(status="queued", planned_at=T0)
    with watch() as seen:
        assert campaigns.mark_all_sent(conn) == 1
    assert seen.diff == {("campaign", done): {"status": "awaiting_results"}}


def test_start_due_queues_scheduled_campaigns_whose_time_came(conn, rows, watch):
    due = rows.campaign(status="scheduled", scheduled_at=T0)
    rows.campaign(status="scheduled", scheduled_at=T0 + MIN)
    rows.campaign(status="paused", scheduled_at=T0 - MIN)
    with watch() as seen:
        assert campaigns.start_due(conn, T0) == [due]
    assert seen.diff == {("campaign", due): {"status": "queued", "queued_at": T0}}


def test_touch_stale_queued_stamps_campaigns_whose_planning_never_came(conn, rows, watch):
    old = T0 - 10 * MIN
    queued = rows.campaign(status="queued", queued_at=old)
    unplanned = rows.campaign(status="dispatching", queued_at=old, imported_at=old)
    rows.campaign(status="queued", queued_at=T0 - MIN)  # asked for at the cut-off: not stale
    rows.campaign(status="dispatching", queued_at=old)  # still importing
    rows.campaign(status="dispatching", queued_at=old, imported_at=old, planned_at=old)
    rows.campaign(status="awaiting_results", queued_at=old, imported_at=old)
    with watch() as seen:
        stamped = campaigns.touch_stale_queued(conn, T0, older_than=T0 - MIN)
    assert sorted(stamped) == [queued, unplanned]
    assert seen.diff == {("campaign", c): {"queued_at": T0} for c in (queued, unplanned)}


def test_stop_abandoned_imports_cancels_open_imports_silent_before_the_cut_off(conn, rows, watch):
    silent = rows.campaign(status="draft", import_alive_at=T0 - 2 * MIN)
    rows.campaign(status="draft", import_alive_at=T0 - MIN)  # silent exactly since: alive
    rows.campaign(status="draft", import_alive_at=T0 - 2 * MIN, imported_at=T0)
    rows.campaign(status="paused", import_alive_at=T0 - 2 * MIN)
    with watch() as seen:
        assert campaigns.stop_abandoned_imports(conn, T0 - MIN) == [silent]
    assert seen.diff == {("campaign", silent): {"status": "cancelling"}}


def test_create_once_finds_the_campaign_a_key_already_made(conn, rows):
    first = campaigns.create_once(conn, **_fields("k-1"))
    assert first is not None
    assert campaigns.create_once(conn, **_fields("k-1")) is None
    assert campaigns.find_by_key(conn, "k-1").id == first


def test_the_listing_shows_the_newest_twenty_with_progress_and_carriers(conn, rows):
    made = [rows.campaign() for _ in range(21)]
    newest, quiet = made[-1], made[-2]
    for status in ("delivered", "failed", "suppressed", "pending"):
        rows.recipient(newest, f"0100000{len(status):04d}{status[:1]}"[:11], status=status)
    rows.recipient(made[0], "01000000001", status="delivered")  # past the twentieth
    for provider, status in (("sens", "completed"), ("nhn", "accepted"), ("apiplex", "planned")):
        rows.batch(newest, provider=provider, status=status)
    rows.batch(made[0], provider="apiplex", status="accepted")
    listed = campaigns.listing(conn)
    assert [item.campaign.id for item in listed] == made[:0:-1]
    first, second = listed[0], listed[1]
    assert (first.final, first.delivered, first.sent_final, first.providers) == (
        3, 1, 2, ("nhn", "sens"))  # fmt: skip
    assert (second.campaign.id, second.final, second.delivered, second.sent_final) == (
        quiet, 0, 0, 0)  # fmt: skip
    assert second.providers == ()
    assert len(campaigns.latest(conn)) == 20


def _fields(key: str) -> dict:
    return {"name": "c", "provider": "sens", "message_type": "SMS", "sender": "0212345678",
            "template": "hi", "status": "draft", "idempotency_key": key,
            "created_at": T0}  # fmt: skip


def test_the_report_counts_read_that_campaign_alone(conn, rows):
    campaign, other = rows.campaign(), rows.campaign()
    sens = rows.batch(campaign, status="completed", recipient_count=7)
    nhn = rows.batch(campaign, provider="nhn", status="accepted", recipient_count=3)
    rows.batch(campaign, provider="nhn", status="planned", recipient_count=50)
    rows.batch(other, status="completed", recipient_count=100)
    phone = iter(f"010000000{i:02d}" for i in range(20)).__next__
    failed = {"status": "failed", "result_code": "3001", "result_outcome": "failed",
              "result_family": "reception"}  # fmt: skip
    rows.recipient(campaign, phone(), batch_id=sens, attempts=2, **failed)
    rows.recipient(campaign, phone(), batch_id=sens, attempts=1, **failed)  # sent once
    rows.recipient(campaign, phone(), batch_id=nhn, message_type="LMS", status="delivered",
                   result_code="1000", result_outcome="delivered", attempts=3)  # fmt: skip
    rows.recipient(campaign, phone(), status="suppressed", result_code="SUPPRESSED")
    rows.recipient(campaign, phone())  # pending: no code, no batch named yet
    rows.recipient(other, phone(), attempts=5, result_code="0", batch_id=sens)
    assert campaigns.sent_by_provider(conn, campaign) == {"nhn": 3, "sens": 7}
    assert campaigns.resent_count(conn, campaign) == 2
    counts = [tuple(row) for row in campaigns.code_counts(conn, campaign)]
    assert counts[0] == ("sens", "failed", "failed", "3001", "reception", 2)  # most first
    assert sorted(counts[1:], key=str) == [
        ("nhn", "delivered", "delivered", "1000", None, 1),
        (None, "suppressed", None, "SUPPRESSED", None, 1)]  # fmt: skip
    sent = sorted((tuple(row) for row in campaigns.provider_type_counts(conn, campaign)), key=str)
    assert sent == [("nhn", "LMS", 1), ("sens", "SMS", 2), (None, "SMS", 1)]


def test_sent_by_provider_lists_the_providers_in_name_order_however_it_groups(conn, rows):
    campaign = rows.campaign()
    for provider in ("sens", "nhn", "apiplex"):
        rows.batch(campaign, provider=provider, status="accepted", recipient_count=2)
    without_plan_order(conn)  # the report's order comes from ORDER BY, not from grouping
    assert list(campaigns.sent_by_provider(conn, campaign)) == ["apiplex", "nhn", "sens"]


def test_mark_sent_if_done_moves_that_planned_campaign_with_nothing_unsent_alone(conn, rows, watch):
    target, twin = rows.campaign(planned_at=T0), rows.campaign(planned_at=T0)
    for campaign in (target, twin):
        rows.batch(campaign, status="accepted")
    unsent = rows.campaign(planned_at=T0)
    rows.batch(unsent, status="retry")
    unplanned, queued = rows.campaign(), rows.campaign(status="queued", planned_at=T0)
    with watch() as seen:
        assert campaigns.mark_sent_if_done(conn, target) is True
        assert campaigns.mark_sent_if_done(conn, target) is False  # moved already
        for other in (unsent, unplanned, queued):
            assert campaigns.mark_sent_if_done(conn, other) is False
    assert seen.diff == {("campaign", target): {"status": "awaiting_results"}}


def test_complete_if_final_completes_that_campaign_once_its_recipients_are_final(conn, rows, watch):
    target = rows.campaign(status="awaiting_results", planned_at=T0)
    rows.recipient(target, "01000000001", status="delivered")
    rows.recipient(target, "01000000002", status="failed")
    busy = rows.campaign(status="awaiting_results", planned_at=T0)  # another still open
    rows.recipient(busy, "01000000003", status="accepted")
    unplanned = rows.campaign(status="dispatching")
    rows.recipient(unplanned, "01000000004", status="delivered")
    with watch() as seen:
        assert campaigns.complete_if_final(conn, target, T0) is True
        assert campaigns.complete_if_final(conn, target, T0) is False
        assert campaigns.complete_if_final(conn, busy, T0) is False
        assert campaigns.complete_if_final(conn, unplanned, T0) is False
    change = {"status": "completed", "completed_at": T0}
    assert seen.diff == {("campaign", target): change}


def test_complete_if_final_leaves_a_campaign_that_is_not_open(conn, rows, watch):
    ended = {
        s: rows.campaign(status=s, planned_at=T0) for s in ("cancelled", "paused", "completed")
    }
    for campaign in ended.values():
        rows.recipient(campaign, "01000000001", status="delivered")
    with watch() as seen:
        assert not any(campaigns.complete_if_final(conn, c, T0) for c in ended.values())
    assert seen.diff == {}


def test_mark_planned_records_once_for_that_imported_campaign_alone(conn, rows, watch):
    target, _ = (rows.campaign(imported_at=T0) for _ in range(2))
    importing, done = rows.campaign(), rows.campaign(imported_at=T0, planned_at=T0)
    with watch() as seen:
        assert campaigns.mark_planned(conn, target, T0 + MIN) is True
        assert campaigns.mark_planned(conn, target, T0 + 2 * MIN) is False
        assert campaigns.mark_planned(conn, importing, T0) is False  # recipients still coming
        assert campaigns.mark_planned(conn, done, T0 + MIN) is False
    assert seen.diff == {("campaign", target): {"planned_at": T0 + MIN}}


def test_mark_imported_records_the_end_of_that_import_once(conn, rows, watch):
    target, _ = (rows.campaign() for _ in range(2))
    with watch() as seen:
        assert campaigns.mark_imported(conn, target, 7, T0) is True
        assert campaigns.mark_imported(conn, target, 9, T0 + MIN) is False  # a re-run task
    assert seen.diff == {("campaign", target): {"imported_at": T0, "total_recipients": 7}}


def test_transition_moves_that_campaign_from_an_old_state_alone(conn, rows, watch):
    target, _ = (rows.campaign(status="queued") for _ in range(2))
    with watch() as seen:
        assert campaigns.transition(conn, target, [C.QUEUED], C.DISPATCHING, planned_at=T0)
        assert not campaigns.transition(conn, target, [C.QUEUED], C.CANCELLED)
    assert seen.diff == {("campaign", target): {"status": "dispatching", "planned_at": T0}}


def test_import_alive_stamps_that_open_import_alone(conn, rows, watch):
    target, _ = (rows.campaign() for _ in range(2))
    imported = rows.campaign(imported_at=T0)
    with watch() as seen:
        campaigns.import_alive(conn, target, T0 + MIN)
        campaigns.import_alive(conn, imported, T0 + MIN)  # its import ended: nothing to stamp
    assert seen.diff == {("campaign", target): {"import_alive_at": T0 + MIN}}
