"""API keys, MMS files, failover moves, attempts and poll rounds: the rows their filters name."""

from types import SimpleNamespace

from sqlalchemy import insert, select

from tests.db.conftest import MIN, T0, without_plan_order
from worker.db import apikeys, attempts, batches, campaigns, images, polls, reroutes
from worker.db.members import BatchRef
from worker.db.models import CampaignImage, PollWatermark, ProviderFile


def test_a_revoked_key_is_no_longer_active_and_others_of_its_name_go_too(conn, watch):
    first, second = apikeys.add(conn, "ops", "d1", T0), apikeys.add(conn, "ops", "d2", T0)
    kept = apikeys.add(conn, "bi", "d3", T0)
    assert tuple(apikeys.active(conn, "d1")) == (first, "ops")
    with watch() as seen:
        assert apikeys.revoke(conn, "ops", T0 + MIN) == 2
        assert apikeys.revoke(conn, "ops", T0 + MIN) == 0
    assert seen.diff == {("api_key", k): {"revoked_at": T0 + MIN} for k in (first, second)}
    assert apikeys.active(conn, "d1") is None and apikeys.active(conn, "d3").id == kept
    listed = [tuple(row) for row in apikeys.listed(conn)]
    assert listed == [("ops", T0, T0 + MIN), ("ops", T0, T0 + MIN), ("bi", T0, None)]


def test_a_campaigns_images_come_back_in_order(conn, rows):
    campaign, other = rows.campaign(), rows.campaign()
    made = [SimpleNamespace(name=f"{n}.jpg", sha256=n * 64, data=n.encode()) for n in "ba"]
    images.add_to_campaign(conn, campaign, made)
    images.add_to_campaign(conn, other, made[:1])
    images.add_to_campaign(conn, campaign, [])
    assert [tuple(row) for row in images.of_campaign(conn, campaign)] == [
        ("b.jpg", "b" * 64, b"b"), ("a.jpg", "a" * 64, b"a")]  # fmt: skip
    # Stored out of order, they still come by position.
    image = {"name": "x.jpg", "sha256": "x" * 64, "data": b"x"}
    third = rows.campaign()
    conn.execute(insert(CampaignImage), [{**image, "campaign_id": third, "position": p,
                                          "name": f"{p}.jpg"} for p in (2, 0, 1)])  # fmt: skip
    without_plan_order(conn)
    assert [row.name for row in images.of_campaign(conn, third)] == ["0.jpg", "1.jpg", "2.jpg"]


def test_a_provider_file_lives_until_it_expires_and_a_new_upload_replaces_it(conn, rows):
    images.keep_file(conn, "sens", "h1", "F-1", T0, T0 + MIN)
    images.keep_file(conn, "nhn", "h1", "N-1", T0, T0 + 9 * MIN)
    assert images.live_file(conn, "sens", "h1", T0) == "F-1"
    assert images.live_file(conn, "sens", "h1", T0 + MIN) is None  # expires then
    assert images.live_file(conn, "sens", "h2", T0) is None
    images.keep_file(conn, "sens", "h1", "F-2", T0, T0 + 5 * MIN)
    assert images.live_file(conn, "sens", "h1", T0 + MIN) == "F-2"
    kept = conn.execute(select(ProviderFile.provider, ProviderFile.file_id)).all()
    assert sorted(kept) == [("nhn", "N-1"), ("sens", "F-2")]


def test_forgotten_files_are_the_providers_named_ones(conn, rows):
    images.keep_file(conn, "sens", "h1", "F-1", T0, T0 + MIN)
    images.keep_file(conn, "nhn", "h2", "F-1", T0, T0 + MIN)
    images.keep_file(conn, "sens", "h3", "F-3", T0, T0 + MIN)
    assert images.forget_files(conn, "sens", ["F-1"]) == 1
    assert images.live_file(conn, "nhn", "h2", T0) == "F-1"
    assert images.live_file(conn, "sens", "h3", T0) == "F-3"


def test_movable_batches_are_the_sick_providers_unsent_auto_ones_oldest_first(conn, rows):
    auto = rows.campaign(provider="auto", content_type="AD", schedule_mode="wait")
    first = rows.batch(auto, status="retry")
    second = rows.batch(auto)
    rows.batch(auto, status="sending")
    rows.batch(auto, provider="nhn")
    rows.batch(rows.campaign(provider="sens"))  # a campaign bound to its provider
    rows.batch(rows.campaign(provider="auto", status="paused"))
    movable = reroutes.movable(conn, "sens", 10)
    assert [(row.id, row.content_type, row.schedule_mode) for row in movable] == [
        (first, "AD", "wait"), (second, "AD", "wait")]  # fmt: skip
    assert [row.id for row in reroutes.movable(conn, "sens", 1)] == [first]


def test_take_reroutes_that_unsent_batch_alone(conn, rows, watch):
    campaign = rows.campaign()
    target = rows.batch(campaign, status="retry", next_attempt_at=T0)
    rows.batch(campaign)
    sending = rows.batch(campaign, status="sending")
    with watch() as seen:
        assert reroutes.take(conn, target) is True
        assert reroutes.take(conn, sending) is False
    assert seen.diff == {("batch", target): {"status": "rerouted", "next_attempt_at": None}}


def test_move_lists_the_still_open_members_in_their_new_batch(conn, rows, watch):
    campaign = rows.campaign()
    open_ = rows.recipient(campaign, "01000000001")
    written = rows.recipient(campaign, "01000000002", status="delivered")
    old = BatchRef(rows.batch(campaign, first_id=open_, last_id=written), campaign, "SMS", 1,
                   open_, written)  # fmt: skip
    new = rows.batch(campaign)
    moves = [{"b_id": open_, "b_batch": new}, {"b_id": written, "b_batch": new}]
    with watch() as seen:
        assert reroutes.move(conn, old, moves) == 1
        assert reroutes.move(conn, old, []) == 0
    assert seen.diff == {("recipient", open_): {"status": "batched", "batch_id": new}}


def test_hold_planned_and_campaign_of_act_on_a_planned_batch_only(conn, rows, watch):
    campaign = rows.campaign()
    target, _ = rows.batch(campaign), rows.batch(campaign)
    sending = rows.batch(campaign, status="sending")
    assert batches.campaign_of(conn, target) == campaign
    assert batches.campaign_of(conn, sending) is None
    assert batches.get(conn, sending).status == "sending"
    with watch() as seen:
        assert batches.hold_planned(conn, target, T0) is True
        assert batches.hold_planned(conn, sending, T0) is False
    assert seen.diff == {("batch", target): {"status": "retry", "next_attempt_at": T0}}


def test_cancelled_campaigns_with_leftovers_are_found(conn, rows):
    unsent, waiting = rows.campaign(status="cancelled"), rows.campaign(status="cancelled")
    rows.batch(unsent, status="retry")
    rows.recipient(waiting, "01000000001", status="retry_wait")
    clean = rows.campaign(status="cancelled")
    rows.batch(clean, status="cancelled")
    rows.recipient(clean, "01000000001", status="cancelled")
    rows.batch(rows.campaign(status="dispatching"))
    assert sorted(campaigns.cancelled_with_leftovers(conn)) == [unsent, waiting]


def test_a_campaigns_attempts_come_by_number_then_attempt(conn, rows):
    campaign = rows.campaign()
    for batch, phone, attempt in ((2, "01000000002", 1), (3, "01000000001", 2),
                                  (1, "01000000001", 1), (4, "01000000009", 1)):  # fmt: skip
        owner = campaign if batch < 4 else rows.campaign()
        rows.add("delivery_attempt", campaign_id=owner, batch_id=batch, phone=phone,
                 attempt=attempt, code=f"c{batch}")  # fmt: skip
    without_plan_order(conn)
    read = [tuple(row) for row in attempts.for_campaign(conn, campaign)]
    assert read == [("01000000001", 1, "c1", "delivered"), ("01000000001", 2, "c3", "delivered"),
                    ("01000000002", 1, "c2", "delivered")]  # fmt: skip


def test_recent_rounds_are_the_providers_newest_first(conn, rows):
    made = [rows.add("poll_round", provider=p) for p in ("sens", "nhn", "sens", "sens")]
    assert [row.id for row in polls.recent_rounds(conn, "sens", 2)] == [made[3], made[2]]
    assert len(polls.recent_rounds(conn, "sens")) == 3
    for _ in range(20):
        rows.add("poll_round", provider="sens")
    assert len(polls.recent_rounds(conn, "sens")) == 20  # the default


def test_delivered_by_attempt_counts_that_campaigns_delivered_recipients(conn, rows):
    campaign = rows.campaign()
    for phone, status, attempt in (("01000000001", "delivered", 1), ("01000000002", "delivered", 2),
                                   ("01000000003", "delivered", 2), ("01000000004", "failed", 1),
                                   ("01000000005", "retry_wait", 2)):  # fmt: skip
        rows.recipient(campaign, phone, status=status, attempts=attempt)
    rows.recipient(rows.campaign(), "01000000001", status="delivered", attempts=1)
    assert attempts.delivered_by_attempt(conn, campaign) == {1: 1, 2: 2}


def test_a_watermark_moves_only_from_where_the_poller_read_it(any_db):
    def marks() -> set[tuple]:
        return {tuple(row) for row in any_db.execute(select(PollWatermark))}

    assert polls.advance(any_db, "sens", None, T0) is True
    assert polls.advance(any_db, "nhn", None, T0) is True
    assert polls.advance(any_db, "sens", None, T0 + MIN) is False  # another poller made it first
    assert polls.advance(any_db, "sens", T0, T0 + MIN) is True
    assert polls.advance(any_db, "sens", T0, T0 + 2 * MIN) is False  # moved since it was read
    assert marks() == {("sens", T0 + MIN, T0 + MIN), ("nhn", T0, T0)}
    assert polls.watermark(any_db, "sens") == T0 + MIN
