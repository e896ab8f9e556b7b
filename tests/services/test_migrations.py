"""Migrations move existing data: a campaign mid-flight under the old data path (recipients
marked batched/accepted one by one) reads the same after revision 0005, and goes on."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.conftest import PG_ADMIN_URL
from tests.schemas import empty_schema
from worker.db import campaigns, migrate
from worker.db.engine import get_engine
from worker.services.planning import plan_campaign

OLD_CAMPAIGN = """
INSERT INTO campaign (id, name, provider, message_type, content_type, sender, template,
  country_code, status, total_recipients, created_at, queued_at)
VALUES (1, 'old', 'sens', 'AUTO', 'COMM', '0212345678', 'hi', '82', 'dispatching', 6,
  now(), now());
INSERT INTO batch (id, campaign_id, provider, message_type, attempt, status, recipient_count,
  send_attempts, poll_count, created_at, request_id, sent_at)
VALUES (1, 1, 'sens', 'SMS', 1, 'accepted', 3, 1, 0, now(), 'R1', now()),
       (2, 1, 'sens', 'SMS', 1, 'planned', 2, 0, 0, now(), NULL, NULL);
INSERT INTO recipient (campaign_id, phone, message_type, status, attempts, batch_id,
  result_code)
VALUES (1, '01000000001', 'SMS', 'accepted', 1, 1, NULL),
       (1, '01000000002', 'SMS', 'accepted', 1, 1, NULL),
       (1, '01000000003', 'SMS', 'delivered', 1, 1, '0'),
       (1, '01000000004', 'SMS', 'batched', 1, 2, NULL),
       (1, '01000000005', 'SMS', 'batched', 1, 2, NULL),
       (1, '01000000006', 'SMS', 'pending', 0, NULL, NULL);
SELECT setval('batch_id_seq', 2);
"""


@pytest.fixture()
def old_schema() -> Iterator[str]:
    with empty_schema(PG_ADMIN_URL) as (url, _):
        migrate.upgrade(url, "0004")
        yield url


def test_a_campaign_in_flight_reads_the_same_after_the_upgrade(old_schema: str) -> None:
    engine = get_engine(old_schema)
    with engine.begin() as conn:
        conn.execute(text(OLD_CAMPAIGN))
    migrate.upgrade(old_schema)
    with engine.connect() as conn:
        counts = campaigns.status_counts(conn, 1)
        settled = dict(conn.execute(text("SELECT id, settled FROM batch")).all())
        campaign = conn.execute(text("SELECT imported_at, planned_at FROM campaign")).one()
    assert counts == {"accepted": 2, "delivered": 1, "batched": 2, "pending": 1}
    assert settled == {1: 1, 2: 0}  # batch 1 still waits on two of its three
    # The campaign still has a recipient to plan, so it is imported but not planned.
    assert campaign.imported_at is not None and campaign.planned_at is None
    published: list = []
    plan_campaign(engine, 1, lambda _: 100, timedelta(hours=1), published.extend)
    assert [(job.batch_id, job.recipients) for job in published] == [(3, 1)]
    with engine.connect() as conn:
        assert campaigns.status_counts(conn, 1)["batched"] == 3
        assert conn.execute(text("SELECT planned_at FROM campaign")).scalar() is not None
