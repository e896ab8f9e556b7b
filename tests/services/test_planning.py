"""Planning cuts pending recipients into batches of at most the provider's size, once."""

from datetime import timedelta

from sqlalchemy import Engine, func, select

from tests.services.conftest import numbers
from worker.db.models import Batch, Campaign, Recipient
from worker.db.types import utcnow
from worker.services.planning import CampaignNotFound, plan_campaign
from worker.services.release import requeue_stale_campaigns

HOUR = timedelta(hours=1)


def _plan(engine: Engine, campaign_id: int, size: int = 100) -> list[tuple[int, str]]:
    published: list[tuple[int, str]] = []
    plan_campaign(engine, campaign_id, lambda _: size, HOUR, published.extend)
    return published


def _batch_sizes(engine: Engine, campaign_id: int) -> list[int]:
    query = (
        select(func.count())
        .select_from(Recipient)
        .where(Recipient.campaign_id == campaign_id)
        .group_by(Recipient.batch_id)
        .order_by(Recipient.batch_id)
    )
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())


def test_250_recipients_make_batches_of_100_100_50(engine, make_campaign) -> None:
    campaign_id = make_campaign(numbers(250))
    published = _plan(engine, campaign_id)
    assert _batch_sizes(engine, campaign_id) == [100, 100, 50]
    with engine.connect() as conn:
        ids = conn.execute(select(Batch.id).where(Batch.campaign_id == campaign_id)).scalars()
        status = conn.execute(select(Campaign.status).where(Campaign.id == campaign_id)).scalar()
        statuses = conn.execute(
            select(Recipient.status).where(Recipient.campaign_id == campaign_id).distinct()
        ).scalars()
        assert sorted(published) == sorted((i, "sens") for i in ids)
        assert status == "dispatching"
        assert set(statuses) == {"batched"}


def test_planning_again_makes_no_new_batch_and_republishes_unsent(engine, make_campaign) -> None:
    campaign_id = make_campaign(numbers(150, start=1000))
    first = _plan(engine, campaign_id)
    second = _plan(engine, campaign_id)
    assert len(first) == 2
    assert sorted(second) == sorted(first)
    assert _batch_sizes(engine, campaign_id) == [100, 50]


def test_sms_and_lms_recipients_go_in_separate_batches(engine, make_csv_campaign) -> None:
    long_text = "가" * 60  # 120 bytes in EUC-KR: too long for an SMS, so AUTO picks LMS
    phones = numbers(3, start=2000)
    rows = [[phones[0], long_text], [phones[1], "short"], [phones[2], "짧은"]]
    campaign_id = make_csv_campaign(["phone", "x"], rows, template="{x}")
    _plan(engine, campaign_id)
    with engine.connect() as conn:
        types = conn.execute(
            select(Batch.message_type, Batch.recipient_count).where(
                Batch.campaign_id == campaign_id
            )
        ).all()
    assert sorted(types) == [("LMS", 1), ("SMS", 2)]


def test_batch_size_setting_is_respected(engine, make_campaign) -> None:
    campaign_id = make_campaign(numbers(25, start=3000))
    _plan(engine, campaign_id, size=10)
    assert _batch_sizes(engine, campaign_id) == [10, 10, 5]


def test_a_cancelled_campaign_is_not_planned(engine, make_campaign) -> None:
    campaign_id = make_campaign(numbers(5, start=4000))
    with engine.begin() as conn:
        conn.execute(
            Campaign.__table__.update().where(Campaign.id == campaign_id).values(status="cancelled")
        )
    assert _plan(engine, campaign_id) == []
    assert _batch_sizes(engine, campaign_id) == [5]  # all still unbatched (batch_id NULL)


def test_unknown_campaign(engine) -> None:
    try:
        _plan(engine, 987654321)
    except CampaignNotFound as exc:
        assert "987654321" in str(exc)
    else:
        raise AssertionError("expected CampaignNotFound")


def test_a_campaign_whose_plan_task_was_lost_is_planned_again(engine, make_campaign) -> None:
    campaign_id = make_campaign(numbers(3, start=6000))
    replanned: list[int] = []
    assert requeue_stale_campaigns(engine, timedelta(minutes=2), replanned.extend) == 0
    with engine.begin() as conn:  # as if the plan task went out three minutes ago and vanished
        conn.execute(
            Campaign.__table__.update()
            .where(Campaign.id == campaign_id)
            .values(queued_at=utcnow() - timedelta(minutes=3))
        )
    assert requeue_stale_campaigns(engine, timedelta(minutes=2), replanned.extend) == 1
    assert requeue_stale_campaigns(engine, timedelta(minutes=2), replanned.extend) == 0
    assert replanned == [campaign_id]
