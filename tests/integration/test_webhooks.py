"""Real workers, beat, the HTTP service under uvicorn and NHN Cloud's simulator pushing
MESSAGE_RESULT_UPDATE webhooks (duplicated and out of order): every recipient ends final from
webhooks alone, nothing is polled, no result is lost."""

from collections import Counter
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import func, select

from producer.campaigns import create_campaign
from producer.report import campaign_report
from producer.sources import NumberList
from producer.spec import CampaignSpec
from simulator.outcomes import TRANSIENT, code_for
from tests.integration.conftest import SEED, Stack, own_stack, wait_until
from worker.db.models import PollRound, Recipient
from worker.domain.statuses import FINAL_RECIPIENT_STATUSES

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/6"
SIGNATURE = "sim-webhook-signature"


@pytest.fixture(scope="module")
def pushed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of its own (with `bulksms serve`); NHN's simulator pushes to it."""
    run_dir = tmp_path_factory.mktemp("stack-webhooks")
    secret = {"BULKSMS_NHN__WEBHOOK_SECRET": SIGNATURE}
    with own_stack(run_dir, REDIS_URL, secret) as running:
        hook = {"url": f"{running.serve_url}/webhooks/nhn", "signature": SIGNATURE}
        _control(running, "/_sim/webhook", hook)
        yield running


def _control(stack: Stack, path: str, body: dict) -> None:
    url = f"{stack.sim_urls['nhn']}{path}"
    requests.post(url, json=body, timeout=5).raise_for_status()


def test_every_result_comes_by_webhook_once_despite_duplicates_and_disorder(
    pushed: Stack,
) -> None:
    numbers = [f"01063{i:06d}" for i in range(2000)]
    _control(pushed, "/_sim/faults", {"webhook_duplicate_rate": 0.3, "webhook_shuffle": True})
    spec = CampaignSpec(name="pushed", sender="0212345678", template="결제 안내", provider="nhn")
    campaign_id = create_campaign(spec, NumberList(numbers)).campaign_id
    done = wait_until(lambda: campaign_report(pushed.engine, campaign_id).status
                      == "completed", 120)  # fmt: skip
    assert done, pushed.logs()
    states = pushed.settled_inbox()
    with pushed.engine.connect() as conn:
        rows = conn.execute(
            select(Recipient.phone, Recipient.status, Recipient.attempts).where(
                Recipient.campaign_id == campaign_id
            )
        ).all()
        polled = conn.execute(
            select(func.coalesce(func.sum(PollRound.calls), 0)).where(PollRound.provider == "nhn")
        ).scalar_one()
    assert {r.status for r in rows} <= {s.value for s in FINAL_RECIPIENT_STATUSES}
    transient = {n for n in numbers if code_for(SEED, n) in TRANSIENT}
    assert {r.attempts for r in rows if r.phone in transient} == {2}  # re-sent once, by webhook
    assert set(states) == {"applied"}
    assert polled == 0  # the results came by webhook alone
    stats = pushed.sim_stats("nhn")
    assert stats["webhook_deliveries"] > states["applied"] // 2
    sent = stats["sent_to"]
    assert Counter(sent[r.phone] - r.attempts for r in rows) == Counter({0: len(rows)})
