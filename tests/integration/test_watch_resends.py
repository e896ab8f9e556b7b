"""`campaign watch` through real workers names re-sends and waits them out."""

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from producer.campaigns import create_campaign
from producer.cli import app
from producer.report import campaign_report
from producer.sources import NumberList
from producer.spec import CampaignSpec
from producer.waits import waiting_for
from tests.integration.conftest import Stack, own_stack, wait_until
from worker.db.types import utcnow

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/1"
GAP = 10  # seconds before a transient failure is sent again


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    overrides = {"BULKSMS_RESEND__BACKOFF_SECONDS": f"[{GAP}]"}
    with own_stack(tmp_path_factory.mktemp("stack-watch"), REDIS_URL, None, overrides) as running:
        yield running


def test_the_watch_names_the_re_sends_and_waits_for_them(stack: Stack) -> None:
    numbers = [f"0107{i:07d}" for i in range(400)]
    spec = CampaignSpec(name="watch", sender="0212345678", template="안내", provider="sens")
    campaign_id = create_campaign(spec, NumberList(numbers)).campaign_id
    seen: list[str] = []

    def re_sends_wait() -> bool:
        report = campaign_report(stack.engine, campaign_id)
        seen[:] = waiting_for(report.waits, utcnow())
        return report.waits.resends > 0

    assert wait_until(re_sends_wait, 60), stack.logs()
    assert any(" for a re-send at " in phrase and "KST" in phrase for phrase in seen), seen
    result = CliRunner().invoke(app, ["campaign", "watch", str(campaign_id), "--timeout", "120"])
    assert result.exit_code == 0, result.output + stack.logs()
    flat = " ".join(result.output.split())
    assert f"campaign {campaign_id} 'watch' via sens: completed, 400/400 final" in flat
    assert "stopped watching" not in flat and "error:" not in flat
    assert campaign_report(stack.engine, campaign_id).resent > 0
