"""Real workers and the SENS simulator: every send task published three times sends once."""

from collections import Counter

import pytest
import requests
from sqlalchemy import select

from config.celery import create_celery
from config.names import TASK_SEND_BATCH, send_queue
from config.settings import get_settings
from producer.campaigns import create_campaign
from producer.report import campaign_report
from producer.sources import NumberList
from producer.spec import CampaignSpec
from tests.integration.conftest import Stack, wait_until
from worker.db.models import Batch, Recipient

pytestmark = pytest.mark.integration


def _faults(stack: Stack, **values: float) -> None:
    requests.post(f"{stack.sim_url}/_sim/faults", json=values, timeout=5).raise_for_status()


def _batch_ids(engine, campaign_id: int) -> list[int]:
    with engine.connect() as conn:
        query = select(Batch.id).where(Batch.campaign_id == campaign_id)
        return list(conn.execute(query).scalars())


def test_a_send_task_published_three_times_sends_its_batch_once(running_stack: Stack) -> None:
    numbers = [f"0107{i:07d}" for i in range(500)]
    before = running_stack.sim_stats()
    _faults(running_stack, slow_rate=1.0, slow_seconds=0.5)  # copies arrive mid-send too
    spec = CampaignSpec(name="twice", sender="0212345678", template="안내 문자입니다")
    campaign_id = create_campaign(spec, NumberList(numbers)).campaign_id
    engine = running_stack.engine
    try:
        assert wait_until(lambda: len(_batch_ids(engine, campaign_id)) == 5, 30)
        app = create_celery(get_settings(), main="duplicates")
        for batch_id in _batch_ids(engine, campaign_id) * 2:
            app.send_task(TASK_SEND_BATCH, args=(batch_id, "sens", 0, ""), queue=send_queue("sens"))
        done = wait_until(lambda: campaign_report(engine, campaign_id).status == "completed", 90)
    finally:
        _faults(running_stack, slow_rate=0.0)
    assert done, running_stack.logs()
    after = running_stack.sim_stats()
    sent = {n: after["sent_to"].get(n, 0) - before["sent_to"].get(n, 0) for n in numbers}
    # Transient codes are re-sent once: each number was sent as often as it had attempts.
    assert sent == _attempts(engine, campaign_id)
    assert Counter(sent.values())[1] > 400


def _attempts(engine, campaign_id: int) -> dict[str, int]:
    query = select(Recipient.phone, Recipient.attempts).where(Recipient.campaign_id == campaign_id)
    with engine.connect() as conn:
        return dict(conn.execute(query).all())
