"""A file no recipient comes out of makes no campaign and says why in one line."""

from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from typer.testing import CliRunner

from config import providers
from producer.campaigns import NothingImported, create_campaign
from producer.cli import app
from producer.sources import CsvSource, NumberList
from producer.spec import CampaignSpec
from scripts.simulated import simulated_settings
from tests.envvars import settings_env
from tests.importing.conftest import HEADER
from worker.db.models import Campaign, CampaignImage, Recipient


def stored_rows(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        campaigns = conn.execute(select(func.count()).select_from(Campaign)).scalar_one()
        recipients = conn.execute(select(func.count()).select_from(Recipient)).scalar_one()
    return campaigns, recipients


def create(pg_url: str, path: Path) -> tuple[int, list[str]]:
    """`campaign create` over `path` with a broker of this process (memory://)."""
    env = {"BULKSMS_DATABASE_URL": pg_url, "BULKSMS_BROKER_URL": "memory://"}
    for entry in providers.ENTRIES:
        env.update(providers.simulator_env(entry))
    args = ["campaign", "create", "--csv", str(path), "--from", "0212345678"]
    with settings_env(env):
        result = CliRunner().invoke(app, [*args, "--template", "{이름}님 쿠폰 {쿠폰}"])
    return result.exit_code, result.output.strip().splitlines()


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (f"{HEADER}\n".encode(), "{path} holds no rows after its header"),
        (f"\ufeff{HEADER}\r\n,,\r\n\r\n".encode(), "{path} holds no rows after its header"),
        (
            f"{HEADER}\n홍,02-123-4567,A\n김,010-1,B\n이,,C\n".encode(),
            "{path}: no recipient could be imported (3 rows rejected: line 2: 02-****4567 is "
            "not a mobile number); every rejected row is in {rejects}",
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 8,
            "{path} is not a text file "
            "(it looks like an Excel workbook (.xlsx) or another ZIP archive: save the sheet as "
            "'CSV UTF-8' and import that)",
        ),
    ],
)
def test_nothing_to_import_stores_nothing_and_says_why(pg_url, engine, write, content, line):
    path = write(content)
    before = stored_rows(engine)
    code, output = create(pg_url, path)
    rejects = path.with_name("list.rejects.csv")
    assert (code, output) == (2, [f"error: {line.format(path=path, rejects=rejects)}"])
    assert stored_rows(engine) == before


def test_a_list_of_invalid_numbers_raises_and_stores_nothing(pg_url, engine):
    before = stored_rows(engine)
    spec = CampaignSpec(name="t", sender="0212345678", template="hi")
    settings = simulated_settings(database_url=pg_url)
    with pytest.raises(NothingImported) as nothing:
        create_campaign(spec, NumberList(["02-123-4567"]), settings, enqueue=False)
    assert str(nothing.value) == (
        "no recipient could be imported (1 number rejected: number 1: 02-****4567 is not a "
        "mobile number)"
    )
    with pytest.raises(NothingImported, match=r"^no number was given$"):
        create_campaign(spec, NumberList([]), settings, enqueue=False)
    assert stored_rows(engine) == before


def test_an_mms_that_imports_no_one_keeps_no_image(pg_url, engine, write, tmp_path):
    image = tmp_path / "sale.jpg"
    Image.new("RGB", (64, 64), (200, 30, 30)).save(image, "JPEG")
    spec = CampaignSpec(name="t", sender="0212345678", template="hi", images=[image])
    settings = simulated_settings(database_url=pg_url)
    path = write("phone\n02-123-4567\n")
    with engine.connect() as conn:
        images = conn.execute(select(func.count()).select_from(CampaignImage)).scalar_one()
    with pytest.raises(NothingImported):
        create_campaign(spec.model_copy(update={"provider": "sens"}), CsvSource(path), settings,
                        enqueue=False)  # fmt: skip
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(CampaignImage)).scalar_one() == images
