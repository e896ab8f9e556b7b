"""MMS through real workers, beat and the simulators: an image is uploaded once per provider
and content, every request names its file, a later campaign reuses it, an expired file is
uploaded again, and one the provider says is gone is uploaded again before the send."""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from PIL import Image as Pillow
from sqlalchemy import func, select, update

from producer.campaigns import SpecError, create_campaign
from producer.report import campaign_report
from producer.sources import NumberList
from producer.spec import CampaignSpec
from tests.integration.conftest import Stack, own_stack, wait_until
from worker.db.models import Batch, Campaign, ProviderFile
from worker.db.types import utcnow

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/4"
# Results are read by requestId: the simulators' clocks are moved days ahead below.
FAST = {"BULKSMS_POLL__MODE": "request_id"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with own_stack(tmp_path_factory.mktemp("stack-mms"), REDIS_URL, FAST) as running:
        yield running


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("images") / "spring-sale.jpg"
    Pillow.new("RGB", (640, 480), (220, 40, 60)).save(path, "JPEG", quality=85)
    return path


def _mms(stack: Stack, image: Path, numbers: list[str], provider: str) -> int:
    spec = CampaignSpec(name="mms", sender="0212345678", template="봄 신상품을 소개합니다",
                        subject="봄 안내", images=[image], provider=provider)  # fmt: skip
    campaign_id = create_campaign(spec, NumberList(numbers)).campaign_id
    done = wait_until(lambda: campaign_report(stack.engine, campaign_id).status
                      == "completed", 90)  # fmt: skip
    assert done, stack.logs()
    return campaign_id


def _numbers(tag: int, count: int) -> list[str]:
    return [f"0108{tag:02d}{i:05d}" for i in range(count)]


def _requests(stack: Stack) -> int:
    """Requests our batches made (first sends and re-sends of transient failures)."""
    with stack.engine.connect() as conn:
        query = select(func.count()).where(Batch.request_id.is_not(None))
        return int(conn.execute(query).scalar_one())


def _files(stack: Stack, provider: str) -> list[str]:
    with stack.engine.connect() as conn:
        query = select(ProviderFile.file_id).where(ProviderFile.provider == provider)
        return list(conn.execute(query).scalars())


def test_an_image_is_uploaded_once_named_by_every_request_and_reused(
    stack: Stack, image: Path
) -> None:
    _mms(stack, image, _numbers(1, 250), "sens")  # three requests of 100, 100, 50, re-sends
    stats = stack.sim_stats("sens")
    assert (stats["files_uploaded"], stats["mms_requests"]) == (1, _requests(stack))
    assert _requests(stack) > 3
    (file_id,) = _files(stack, "sens")
    copy = image.with_name("same-image.jpg")  # the same content under another name
    copy.write_bytes(image.read_bytes())
    _mms(stack, copy, _numbers(2, 150), "sens")
    stats = stack.sim_stats("sens")
    assert (stats["files_uploaded"], stats["files_reused"]) == (1, 0)
    assert stats["mms_requests"] == _requests(stack)
    assert _files(stack, "sens") == [file_id]


def test_a_file_past_its_expiry_is_uploaded_again(stack: Stack, image: Path) -> None:
    with stack.engine.begin() as conn:  # what we know of it says it lapses in a minute
        conn.execute(update(ProviderFile).values(expires_at=utcnow() + timedelta(minutes=1)))
    before = stack.sim_stats("sens")
    _mms(stack, image, _numbers(3, 100), "sens")
    after = stack.sim_stats("sens")
    # Uploaded again (SENS itself still holds it: seed 003 reuses a live name and size).
    assert after["files_uploaded"] + after["files_reused"] == (
        before["files_uploaded"] + before["files_reused"] + 1)  # fmt: skip
    assert after["mms_requests"] == _requests(stack)


def test_a_file_the_provider_says_is_gone_is_uploaded_again_before_the_send(
    stack: Stack, image: Path
) -> None:
    _mms(stack, image, _numbers(4, 10), "nhn")
    (first,) = _files(stack, "nhn")
    clock = f"{stack.sim_urls['nhn']}/_sim/clock"  # seven days on: NHN forgets the file
    requests.post(clock, json={"advance_seconds": 7 * 86400}, timeout=5).raise_for_status()
    campaign_id = _mms(stack, image, _numbers(5, 10), "nhn")
    (second,) = _files(stack, "nhn")
    assert second != first  # -2004 "expired or does not exist" → uploaded again, then sent
    assert campaign_report(stack.engine, campaign_id).final == 10


def test_an_image_over_the_limits_is_refused_before_anything_is_stored(
    stack: Stack, tmp_path: Path
) -> None:
    big = tmp_path / "big.jpg"
    Pillow.new("RGB", (2000, 2000)).save(big, "JPEG")
    heavy = tmp_path / "heavy.jpg"
    noise = Pillow.frombytes("RGB", (700, 700), bytes(range(256)) * (700 * 700 * 3 // 256 + 1))
    noise.save(heavy, "JPEG", quality=100)
    assert heavy.stat().st_size > 300 * 1024
    with stack.engine.connect() as conn:
        campaigns_before = len(conn.execute(select(Campaign.id)).all())
    for path, says in ((big, "2000×2000 pixels; at most 1500×1440"), (heavy, "bytes; at most")):
        spec = CampaignSpec(name="bad", sender="0212345678", template="안내", images=[path],
                            provider="sens")  # fmt: skip
        with pytest.raises(SpecError, match=says):
            create_campaign(spec, NumberList(_numbers(6, 5)))
    with stack.engine.connect() as conn:
        assert len(conn.execute(select(Campaign.id)).all()) == campaigns_before
