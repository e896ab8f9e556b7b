"""Planning cuts pending recipients into batches of at most the provider's size, once."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import Engine, func, insert, select

from tests.services.conftest import numbers
from worker.db import campaigns, recipients
from worker.db.models import Batch, Campaign, Recipient, Suppression
from worker.db.types import utcnow
from worker.services.planning import CampaignNotFound, plan_campaign
from worker.services.release import release_due_batches, requeue_stale_campaigns

HOUR = timedelta(hours=1)


def _plan(engine: Engine, campaign_id: int, size: int = 100) -> list[tuple[int, str]]:
    """The jobs a plan published; the count the plan task reports must be theirs."""
    published: list[tuple[int, str]] = []
    assert plan_campaign(engine, campaign_id, lambda _: size, HOUR, published.extend) == len(
        published
    )
    return published


def _batch_sizes(engine: Engine, campaign_id: int) -> list[int]:
    """How many recipients each batch holds: the batch's count, checked against its range."""
    query = select(Batch).where(Batch.campaign_id == campaign_id).order_by(Batch.id)
    with engine.connect() as conn:
        found = conn.execute(query).all()
        for batch in found:
            held = conn.execute(
                select(func.count()).where(
                    Recipient.campaign_id == campaign_id,
                    Recipient.id.between(batch.first_id, batch.last_id),
                    Recipient.message_type == batch.message_type,
                )
            ).scalar()
            assert held == batch.recipient_count, batch
    return [batch.recipient_count for batch in found]


def _rows_written(engine: Engine, campaign_id: int) -> set[tuple]:
    query = select(Recipient.status, Recipient.batch_id, Recipient.attempts).where(
        Recipient.campaign_id == campaign_id
    )
    with engine.connect() as conn:
        return set(conn.execute(query.distinct()).all())


def test_250_recipients_make_batches_of_100_100_50(engine, make_campaign) -> None:
    campaign_id = make_campaign(numbers(250))
    published = _plan(engine, campaign_id)
    assert _batch_sizes(engine, campaign_id) == [100, 100, 50]
    with engine.connect() as conn:
        ids = conn.execute(select(Batch.id).where(Batch.campaign_id == campaign_id)).scalars()
        campaign = conn.execute(select(Campaign).where(Campaign.id == campaign_id)).one()
        assert sorted(j[:2] for j in published) == sorted((i, "sens") for i in ids)
        assert campaign.status == "dispatching" and campaign.planned_at is not None
        assert campaigns.status_counts(conn, campaign_id) == {"batched": 250}
    # Planning wrote batch rows only: every recipient row is as the import left it.
    assert _rows_written(engine, campaign_id) == {("pending", None, 0)}


def test_planning_again_makes_no_new_batch(engine, make_campaign) -> None:
    campaign_id = make_campaign(numbers(150, start=1000))
    first = _plan(engine, campaign_id)
    second = _plan(engine, campaign_id)
    assert len(first) == 2
    assert second == []  # a lost send task is published again by release_due_batches
    assert _batch_sizes(engine, campaign_id) == [100, 50]


def test_two_planners_at_once_cut_each_recipient_into_one_batch(engine, make_campaign) -> None:
    campaign_id = make_campaign(numbers(5000, start=20_000))
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: _plan(engine, campaign_id), range(2)))
    assert sorted(b for run in runs for b in run) == sorted(set(b for run in runs for b in run))
    assert sum(len(run) for run in runs) == 50
    assert _batch_sizes(engine, campaign_id) == [100] * 50


def test_an_import_still_running_is_cut_in_full_batches_only(engine, make_campaign) -> None:
    campaign_id = make_campaign(numbers(250, start=30_000))
    with engine.begin() as conn:  # as if the last chunks had not landed yet
        conn.execute(
            Campaign.__table__.update()
            .where(Campaign.id == campaign_id)
            .values(imported_at=None, planned_at=None)
        )
    assert len(_plan(engine, campaign_id)) == 2
    assert _batch_sizes(engine, campaign_id) == [100, 100]
    with engine.begin() as conn:
        conn.execute(
            Campaign.__table__.update()
            .where(Campaign.id == campaign_id)
            .values(imported_at=utcnow())
        )
    assert len(_plan(engine, campaign_id)) == 1
    assert _batch_sizes(engine, campaign_id) == [100, 100, 50]


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
    assert _batch_sizes(engine, campaign_id) == []


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
    with engine.connect() as conn:  # stamped now: planned again if this task is lost too
        stamped = campaigns.get(conn, campaign_id).queued_at
    assert stamped is not None and utcnow() - stamped < timedelta(minutes=1)


def test_each_job_names_its_types_provider_its_size_and_the_campaigns_sender(
    engine, make_campaign
) -> None:
    # An auto campaign with numbers at home and abroad: each type is routed on its own (the
    # sends abroad to API PLEX), and the limiter reads size and sender from the job.
    abroad = [f"+4479110{i:05d}" for i in range(3)]
    campaign_id = make_campaign(numbers(120, start=2000) + abroad, provider="auto")
    published = _plan(engine, campaign_id)
    with engine.connect() as conn:
        query = select(Batch.id, Batch.message_type, Batch.provider, Batch.recipient_count)
        rows = conn.execute(query.where(Batch.campaign_id == campaign_id)).all()
    assert sorted((kind, provider, size) for _, kind, provider, size in rows) == [
        ("INTL", "apiplex", 3), ("SMS", "sens", 20), ("SMS", "sens", 100)]  # fmt: skip
    expected = {(batch_id, provider, size, "0212345678") for batch_id, _, provider, size in rows}
    assert {tuple(job) for job in published} == expected and len(published) == 3


def test_planned_batches_are_published_again_only_after_the_grace(engine, make_campaign) -> None:
    # A send task lost with its broker is published again by beat, but not while the one
    # just published may still be queued.
    campaign_id = make_campaign(numbers(150, start=5000))
    before = utcnow()
    assert len(_plan(engine, campaign_id)) == 2
    with engine.connect() as conn:
        due = conn.execute(select(Batch.next_attempt_at)
                           .where(Batch.campaign_id == campaign_id)).scalars().all()  # fmt: skip
    assert all(before + HOUR <= at <= utcnow() + HOUR for at in due) and len(due) == 2
    republished: list[tuple[int, str]] = []
    release_due_batches(engine, HOUR, republished.extend)
    assert republished == []


def test_a_campaign_with_nothing_left_to_send_when_planned_completes_then(
    engine, make_campaign
) -> None:
    # Every number was listed while the import ran (its last step suppresses them): the plan
    # cuts no batch, and nothing else would ever move the campaign on.
    listed = numbers(3, start=6000)
    campaign_id = make_campaign(listed)
    with engine.begin() as conn:
        conn.execute(insert(Suppression), [{"phone": n, "reason": "080 opt-out", "source": "test",
                                            "created_at": utcnow()} for n in listed])  # fmt: skip
        assert recipients.suppress_listed_since(conn, campaign_id, 0, utcnow()) == 3
    assert _plan(engine, campaign_id) == []
    with engine.connect() as conn:
        campaign = conn.execute(select(Campaign).where(Campaign.id == campaign_id)).one()
    assert campaign.status == "completed" and campaign.completed_at is not None
