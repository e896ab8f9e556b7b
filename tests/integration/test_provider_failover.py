"""Real workers and beat across both simulators: when SENS falls sick mid-campaign (5xx, or it
refuses our keys), the breaker opens and an auto campaign finishes through NHN Cloud, with no
recipient sent twice across the two; once SENS answers again, a half-open probe closes it."""

import subprocess
import sys
from collections import Counter
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from producer.campaigns import create_campaign
from producer.report import campaign_report
from producer.sources import NumberList
from producer.spec import CampaignSpec
from tests.integration.conftest import Stack, own_stack, wait_until
from worker.db.models import Recipient
from worker.domain.statuses import FINAL_RECIPIENT_STATUSES

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/9"
SICKLY = {
    # A breaker that trips on a handful of errors and probes after a few seconds.
    "BULKSMS_BREAKER__ERRORS_TO_OPEN": "5",
    "BULKSMS_BREAKER__WINDOW_SECONDS": "30",
    "BULKSMS_BREAKER__OPEN_SECONDS": "3",
    "BULKSMS_BREAKER__PROBE_LEASE_SECONDS": "5",
    # Slow enough that the campaign is still going out when SENS falls sick.
    "BULKSMS_SENS__LIMITS__RATE_PER_SECOND": "2",
    "BULKSMS_SENS__LIMITS__BURST": "2",
    "BULKSMS_ROUTING__ORDER": '["sens", "nhn"]',
}


def _stack(
    tmp_path_factory: pytest.TempPathFactory, name: str, **overrides: str
) -> AbstractContextManager[Stack]:
    return own_stack(tmp_path_factory.mktemp(name), REDIS_URL, SICKLY, overrides)


def _create(stack: Stack, numbers: list[str]) -> int:
    spec = CampaignSpec(name="failover", sender="0212345678", template="배송 안내입니다")
    report = create_campaign(spec, NumberList(numbers))
    assert campaign_report(stack.engine, report.campaign_id).provider == "auto"
    return report.campaign_id


def _faults(stack: Stack, provider: str, **values: object) -> None:
    url = f"{stack.sim_urls[provider]}/_sim/faults"
    requests.post(url, json=values, timeout=5).raise_for_status()


def _providers_view(stack: Stack) -> str:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "bulksms"), "providers"],
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _check_once_across_both(stack: Stack, campaign_id: int) -> dict[str, str]:
    """Every recipient final, and taken by the two providers together exactly as often as
    it was sent (once, or twice after a transient result)."""
    with stack.engine.connect() as conn:
        rows = conn.execute(
            select(Recipient.phone, Recipient.status, Recipient.attempts).where(
                Recipient.campaign_id == campaign_id
            )
        ).all()
    sens, nhn = stack.sim_stats("sens")["sent_to"], stack.sim_stats("nhn")["sent_to"]
    final = {s.value for s in FINAL_RECIPIENT_STATUSES}
    assert {row.status for row in rows} <= final
    over = Counter(sens.get(r.phone, 0) + nhn.get(r.phone, 0) - r.attempts for r in rows)
    assert over == Counter({0: len(rows)})
    return {r.phone: r.status for r in rows}


def test_sens_answering_5xx_moves_the_campaign_to_nhn_and_a_probe_closes_the_breaker(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    numbers = [f"01061{i:06d}" for i in range(3000)]
    with _stack(tmp_path_factory, "stack-5xx") as stack:
        campaign_id = _create(stack, numbers)
        some_sent = lambda: stack.sim_stats("sens")["requests_accepted"] >= 3  # noqa: E731
        assert wait_until(some_sent, 60, interval=0.2), stack.logs()
        _faults(stack, "sens", rate_5xx=1.0)
        done = wait_until(lambda: campaign_report(stack.engine, campaign_id).status
                          == "completed", 150)  # fmt: skip
        view = _providers_view(stack)
        _faults(stack, "sens", rate_5xx=0.0)
        assert done, stack.logs()
        report = campaign_report(stack.engine, campaign_id)
        assert set(report.sent_by_provider) == {"sens", "nhn"}
        assert report.sent_by_provider["nhn"] >= 1000
        _check_once_across_both(stack, campaign_id)
        assert "breaker sens opened" in (stack.run_dir / "worker.log").read_text(), view
        closed = lambda: "closed" in _providers_view(stack).split("sens", 1)[1].split("\n")[0]  # noqa: E731
        assert wait_until(closed, 60, interval=1.0), _providers_view(stack)


def test_sens_refusing_our_keys_moves_the_campaign_to_nhn_and_says_why(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    numbers = [f"01062{i:06d}" for i in range(500)]
    with _stack(tmp_path_factory, "stack-401", BULKSMS_SENS__SECRET_KEY="not-the-key") as stack:
        campaign_id = _create(stack, numbers)
        done = wait_until(lambda: campaign_report(stack.engine, campaign_id).status
                          == "completed", 90)  # fmt: skip
        assert done, stack.logs()
        view = _providers_view(stack)
        assert "credentials refused" in view and "401" in view, view
        report = campaign_report(stack.engine, campaign_id)
        assert set(report.sent_by_provider) == {"nhn"}  # and nothing through SENS
        _check_once_across_both(stack, campaign_id)
