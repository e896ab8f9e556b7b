"""A campaign of Korean and foreign numbers through real workers, beat, the HTTP service under
uvicorn and the simulators: Korean numbers go through NHN, the others through API PLEX, and
every recipient ends final from webhooks alone (duplicated, out of order, in bursts), with no
result lost and nobody sent twice."""

from collections import Counter
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import func, select

import simulator.apiplex.outcomes
import simulator.nhn.outcomes
from producer.campaigns import create_campaign
from producer.report import campaign_report
from producer.sources import NumberList
from producer.spec import CampaignSpec
from tests.integration.conftest import SEED, Stack, own_stack, wait_until
from worker.db.models import Batch, PollRound, Recipient
from worker.domain.statuses import FINAL_RECIPIENT_STATUSES

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/5"
SIGNATURE = "sim-nhn-signature"
KOREAN = [f"01064{i:06d}" for i in range(1000)]
ABROAD = [f"+447911{i:06d}" for i in range(300)] + [f"+81901{2000 + i:07d}" for i in range(300)]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """NHN first for Korean numbers, its webhook set up: nothing is polled."""
    order = '["nhn","sens","apiplex"]'
    extra = {"BULKSMS_NHN__WEBHOOK_SECRET": SIGNATURE, "BULKSMS_ROUTING__ORDER": order}
    with own_stack(tmp_path_factory.mktemp("stack-mixed"), REDIS_URL, extra) as running:
        hook = {"url": f"{running.serve_url}/webhooks/nhn", "signature": SIGNATURE}
        _control(running, "nhn", "/_sim/webhook", hook)
        _control(running, "nhn", "/_sim/faults", {"webhook_duplicate_rate": 0.3,
                                                  "webhook_shuffle": True})  # fmt: skip
        _control(running, "apiplex", "/_sim/faults", {
            "webhook_duplicate_rate": 0.3, "webhook_shuffle": True,
            "webhook_late_pending_rate": 0.3, "webhook_burst_seconds": 0.5,
        })  # fmt: skip
        yield running


def _control(stack: Stack, provider: str, path: str, body: dict) -> None:
    requests.post(f"{stack.sim_urls[provider]}{path}", json=body, timeout=5).raise_for_status()


def _expected(number: str) -> tuple[bool, bool]:
    """(delivered in the end, failed first for a reason worth a re-send) by the simulators."""
    if number.startswith("+"):
        first = simulator.apiplex.outcomes.code_for(SEED, number)
        final = simulator.apiplex.outcomes.code_for(SEED, number, 1, 1)
        return final.delivered, first.transient
    first = simulator.nhn.outcomes.code_for(SEED, number)
    final = simulator.nhn.outcomes.code_for(SEED, number, 1, 1)
    return final == "1000", first in simulator.nhn.outcomes.TRANSIENT


def test_korean_numbers_go_through_nhn_the_rest_through_api_plex_all_final_by_webhook(
    mixed: Stack,
) -> None:
    spec = CampaignSpec(name="mixed", sender="0212345678", template="배송 시작 / Order shipped")
    numbers = [n for pair in zip(KOREAN, ABROAD, strict=False) for n in pair] + KOREAN[600:]
    report = create_campaign(spec, NumberList(numbers))
    assert (report.imported, report.rejected) == (1600, 0)
    done = wait_until(lambda: campaign_report(mixed.engine, report.campaign_id).status
                      == "completed", 180)  # fmt: skip
    assert done, mixed.logs()
    states = mixed.settled_inbox()
    with mixed.engine.connect() as conn:
        rows = conn.execute(select(Recipient.phone, Recipient.status, Recipient.attempts,
                                   Recipient.message_type)).all()  # fmt: skip
        routes = set(conn.execute(select(Batch.message_type, Batch.provider).distinct()).all())
        polled = conn.execute(select(func.coalesce(func.sum(PollRound.calls), 0))).scalar_one()
    assert routes == {("SMS", "nhn"), ("INTL", "apiplex")}
    assert {r.status for r in rows} <= {s.value for s in FINAL_RECIPIENT_STATUSES}
    for phone, status, attempts, _ in rows:
        delivered, transient = _expected(phone)
        assert status == ("delivered" if delivered else "failed"), phone
        assert attempts == (2 if transient else 1), phone
    assert polled == 0 and set(states) == {"applied"}  # by webhook alone, none unmatched
    pushed = mixed.sim_stats("apiplex")
    assert pushed["webhook_duplicates"] > 0 and pushed["webhook_out_of_order"] > 0
    sent = {**mixed.sim_stats("nhn")["sent_to"], **pushed["sent_to"]}
    assert Counter(sent[r.phone.lstrip("+")] - r.attempts for r in rows) == Counter({0: 1600})


def test_nhn_takes_foreign_numbers_with_a_country_code_each(mixed: Stack) -> None:
    spec = CampaignSpec(name="abroad", sender="0212345678", template="Order shipped",
                        provider="nhn")  # fmt: skip
    foreign = [f"+447911{500 + i:06d}" for i in range(50)]
    report = create_campaign(spec, NumberList(foreign))
    done = wait_until(lambda: campaign_report(mixed.engine, report.campaign_id).status
                      == "completed", 120)  # fmt: skip
    assert done, mixed.logs()
    final = campaign_report(mixed.engine, report.campaign_id)
    assert final.final == 50 and final.by_status.get("delivered", 0) > 0
    with mixed.engine.connect() as conn:
        kinds = set(conn.execute(select(Batch.message_type, Batch.provider).where(
            Batch.campaign_id == report.campaign_id)).all())  # fmt: skip
    assert kinds == {("INTL", "nhn")}
