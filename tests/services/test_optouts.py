"""080 opt-outs at the provider become suppressions, and new campaigns skip those numbers."""

import logging
import time
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import select

from tests.services.conftest import numbers
from worker.db import suppressions
from worker.db.models import Recipient
from worker.domain.signing import signature_v2
from worker.providers.errors import RetryLater
from worker.services import optouts
from worker.services.optouts import sync_opt_outs


def _register(simulator, phones: list[str]) -> None:
    """Play the people who called the 080 number: register them at the simulator."""
    config = simulator.app.config
    uri = f"/sms/v2/services/{config.service_id}/unsubscribes"
    stamp = str(int(time.time() * 1000))
    headers = {
        "x-ncp-apigw-timestamp": stamp,
        "x-ncp-iam-access-key": config.access_key,
        "x-ncp-apigw-signature-v2": signature_v2(
            "POST", uri, stamp, config.access_key, config.secret_key
        ),
    }
    for start in range(0, len(phones), 1_000):  # at most 1,000 a call
        body = [{"clientTelNo": phone} for phone in phones[start : start + 1_000]]
        answer = requests.post(simulator.base_url + uri, json=body, headers=headers, timeout=5)
        assert answer.status_code == 200, answer.text


def test_opt_outs_are_synced_page_by_page_and_skipped_by_new_campaigns(
    engine, sens_client, simulator, make_campaign, caplog
) -> None:
    # Twelve pages of the provider's list (100 a page), stored a thousand at a time.
    opted = numbers(1_150, start=50_000)
    _register(simulator, opted)
    with caplog.at_level(logging.INFO, logger="worker.services.optouts"):
        assert sync_opt_outs(engine, sens_client) == 1_150
    assert "opt-out sync provider=sens numbers=1150" in caplog.text
    assert sync_opt_outs(engine, sens_client) == 1_150  # again: nothing changes
    with engine.connect() as conn:
        assert suppressions.count(conn) == 1_150
        assert suppressions.listed(conn, opted) == set(opted)
        newest = suppressions.newest(conn, 1)[0]
    assert (newest.reason, newest.source) == ("080 opt-out", "sens 080")
    campaign_id = make_campaign([*opted[:5], *numbers(3, start=60_000)])
    with engine.connect() as conn:
        rows = conn.execute(
            select(Recipient.phone, Recipient.status).where(Recipient.campaign_id == campaign_id)
        ).all()
    assert {phone for phone, status in rows if status == "suppressed"} == set(opted[:5])
    assert {status for phone, status in rows if phone not in opted} == {"pending"}


def test_no_opt_outs_means_nothing_to_do(engine, sens_client) -> None:
    assert sync_opt_outs(engine, sens_client) == 0


class _BrokenList:
    """A provider whose opt-out list fails after some numbers (a page it could not serve)."""

    name = "sens"

    def __init__(self, listed: list[str]) -> None:
        self.listed = listed

    def opted_out_numbers(self) -> Iterator[str]:
        yield from self.listed
        raise RetryLater("page 3 failed", provider="sens", status=500)


def test_numbers_read_before_a_failing_page_are_kept(engine, monkeypatch) -> None:
    listed = numbers(5, start=51_000)
    monkeypatch.setattr(optouts, "CHUNK", 2)  # stored two at a time, each its own commit
    with pytest.raises(RetryLater):
        sync_opt_outs(engine, _BrokenList(listed))  # type: ignore[arg-type]
    with engine.connect() as conn:
        assert suppressions.listed(conn, listed) == set(listed[:4])
