"""A campaign's MMS images become SENS file ids: uploaded once per content, reused while live,
uploaded again near their expiry or once SENS says they are gone, and once for two senders."""

import hashlib
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from PIL import Image
from sqlalchemy import select, update

from tests.concurrently import at_once
from tests.fake_provider import FakeProvider
from tests.services.conftest import numbers, sim_call
from worker.db import images
from worker.db.models import ProviderFile
from worker.db.types import utcnow
from worker.providers.base import UploadedFile
from worker.services.attachments import MARGIN, Attachments


def _image(shade: int, name: str) -> SimpleNamespace:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (shade, shade, shade)).save(out, "JPEG")
    data = out.getvalue()
    return SimpleNamespace(name=name, sha256=hashlib.sha256(data).hexdigest(), data=data)


def _uploads(simulator) -> int:
    stats = sim_call(simulator, "GET", "/_sim/stats")
    return stats["files_uploaded"] + stats["files_reused"]


@pytest.fixture()
def with_images(engine, make_campaign):
    """A campaign holding images of these shades, in order; its id."""

    def make(*shades: int) -> int:
        campaign_id = make_campaign(numbers(1))
        with engine.begin() as conn:
            made = [_image(shade, f"{shade}.jpg") for shade in shades]
            images.add_to_campaign(conn, campaign_id, made)
        return campaign_id

    return make


def _kept(engine) -> dict[str, object]:
    with engine.connect() as conn:
        query = select(ProviderFile.file_id, ProviderFile.expires_at, ProviderFile.provider)
        return {row.file_id: row for row in conn.execute(query)}


def test_images_are_uploaded_once_and_reused_while_live(engine, sens_client, simulator,
                                                        with_images):  # fmt: skip
    campaign_id = with_images(10, 200)
    attachments = Attachments(engine, sens_client)
    first = attachments.file_ids(campaign_id)
    assert len(set(first)) == 2 and _uploads(simulator) == 2
    assert attachments.file_ids(campaign_id) == first
    assert _uploads(simulator) == 2
    kept = _kept(engine)
    assert set(kept) == set(first) and {row.provider for row in kept.values()} == {"sens"}
    # SENS keeps a file 6 days (seed 003) and says until when.
    assert all(row.expires_at - utcnow() > timedelta(days=5) for row in kept.values())


def test_a_file_near_its_expiry_or_gone_is_uploaded_again(engine, sens_client, simulator,
                                                          with_images):  # fmt: skip
    campaign_id = with_images(10, 200)
    attachments = Attachments(engine, sens_client)
    first, second = attachments.file_ids(campaign_id)
    soon = utcnow() + MARGIN - timedelta(minutes=5)
    with engine.begin() as conn:
        conn.execute(update(ProviderFile).where(ProviderFile.file_id == first)
                     .values(expires_at=soon))  # fmt: skip
    attachments.file_ids(campaign_id)
    assert _uploads(simulator) == 3
    attachments.forget([second])
    assert second not in _kept(engine)
    attachments.file_ids(campaign_id)
    assert _uploads(simulator) == 4
    assert attachments.file_ids(campaign_id) and _uploads(simulator) == 4


def test_two_senders_of_the_same_new_image_upload_it_once(engine, sens_client, simulator,
                                                          with_images):  # fmt: skip
    campaigns = [with_images(77), with_images(77)]  # the same content in two campaigns
    attachments = Attachments(engine, sens_client)
    got = at_once(*(lambda c=c: attachments.file_ids(c) for c in campaigns))
    assert got[0] == got[1] and _uploads(simulator) == 1


class _Silent(FakeProvider):
    """A provider whose upload answer does not say until when it keeps the file."""

    def upload_image(self, name: str, data: bytes) -> UploadedFile:
        return UploadedFile(f"file-{name}")


def test_a_file_whose_expiry_is_not_told_is_kept_as_long_as_the_provider_keeps_files(
    engine, with_images
) -> None:
    campaign_id = with_images(30)
    before = utcnow()
    silent = _Silent("sens", lambda _: ("0", "report"))
    [file_id] = Attachments(engine, silent).file_ids(campaign_id)
    # SENS keeps a file 6 days (config/providers.py): reused that long, not one day.
    expires = _kept(engine)[file_id].expires_at
    assert before + timedelta(days=6) <= expires <= utcnow() + timedelta(days=6)
