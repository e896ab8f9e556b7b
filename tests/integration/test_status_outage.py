"""`campaign status` through real workers names a SENS outage and its batches waiting."""

from collections.abc import Iterator

import pytest
import requests
from typer.testing import CliRunner

from producer.campaigns import create_campaign
from producer.cli import app
from producer.report import campaign_report
from producer.sources import NumberList
from producer.spec import CampaignSpec
from tests.integration.conftest import Stack, own_stack, wait_until

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/1"
BREAKER = {
    "BULKSMS_BREAKER__ERRORS_TO_OPEN": "3",
    "BULKSMS_BREAKER__WINDOW_SECONDS": "30",
    # Open long enough for the test to read it, then a probe (a success once SENS is back).
    "BULKSMS_BREAKER__OPEN_SECONDS": "8",
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with own_stack(tmp_path_factory.mktemp("stack-outage"), REDIS_URL, BREAKER) as running:
        yield running


def _faults(stack: Stack, **values: object) -> None:
    requests.post(f"{stack.sim_url}/_sim/faults", json=values, timeout=5).raise_for_status()


def _status(campaign_id: int) -> str:
    result = CliRunner().invoke(app, ["campaign", "status", str(campaign_id)])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_an_open_breaker_is_named_with_the_batches_waiting(stack: Stack) -> None:
    _faults(stack, rate_5xx=1.0)
    numbers = [f"0108{i:07d}" for i in range(500)]
    spec = CampaignSpec(name="outage", sender="0212345678", template="안내", provider="sens")
    campaign_id = create_campaign(spec, NumberList(numbers)).campaign_id
    shown = ""

    def named() -> bool:
        nonlocal shown
        shown = _status(campaign_id)
        return "NAVER Cloud SENS unreachable since" in shown

    assert wait_until(named, 60), shown + stack.logs()
    assert "(breaker open: 3 errors in 30 s (last: server, HTTP 5" in shown
    waiting = shown.split("batches waiting")[0].rsplit("), ", 1)[-1]
    assert int(waiting.replace(",", "")) >= 1, shown
    _faults(stack, rate_5xx=0.0)

    def completed() -> bool:
        return campaign_report(stack.engine, campaign_id).status == "completed"

    assert wait_until(completed, 120), _status(campaign_id) + stack.logs()
    assert "unreachable" not in _status(campaign_id)
