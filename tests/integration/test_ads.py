"""Advertising through real workers, beat and the SENS simulator: the law's parts added from
settings, and no AD batch sent in the quiet hours (a window set a few seconds ahead of now,
as 21:00-08:00 would be at 20:59): the batches left wait in the database, then finish."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from producer.campaigns import SpecError, create_campaign
from producer.report import campaign_report
from producer.sources import NumberList
from producer.spec import CampaignSpec
from tests.envvars import settings_env
from tests.integration.conftest import Stack, own_stack, wait_until
from worker.db.models import Batch, Campaign
from worker.domain.seoul import SEOUL

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/3"
Window = tuple[datetime, datetime]
LEAD, QUIET = 12.0, 6.0  # the quiet hours start this long after the stack, and last this long
# The test needs this long before the quiet hours start, once the stack is up.
HEADROOM = timedelta(seconds=6)


@pytest.fixture(scope="module")
def quiet_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Window]]:
    """A stack whose quiet hours start LEAD seconds after it was launched. A loaded machine
    may take so long to start it that less than HEADROOM is left: then it starts again with
    twice the lead, rather than a test that finds itself already in the quiet hours."""
    lead = LEAD
    for _ in range(3):
        start = (datetime.now(UTC) + timedelta(seconds=lead)).replace(microsecond=0)
        window = (start, start + timedelta(seconds=QUIET))
        with own_stack(tmp_path_factory.mktemp("stack-ads"), REDIS_URL, _env(window)) as running:
            if datetime.now(UTC) < start - HEADROOM:
                yield running, window
                return
        lead *= 2
    pytest.fail(f"the stack never started within {lead / 2:.0f} s")


def _env(window: Window) -> dict[str, str]:
    start, end = (moment.astimezone(SEOUL).strftime("%H:%M:%S") for moment in window)
    return {
        "BULKSMS_AD__SENDER_NAME": "바른상점",
        "BULKSMS_AD__OPT_OUT_NUMBER": "080-123-4567",
        "BULKSMS_AD__QUIET_START": start,
        "BULKSMS_AD__QUIET_END": end,
        "BULKSMS_AD__QUIET_MARGIN_SECONDS": "1",
        # Two requests a second: a 3,000-recipient campaign takes 15 s to send.
        "BULKSMS_SENS__LIMITS__RATE_PER_SECOND": "2",
        "BULKSMS_SENS__LIMITS__BURST": "1",
    }


@pytest.fixture(scope="module")
def stack(quiet_stack: tuple[Stack, Window]) -> Stack:
    return quiet_stack[0]


@pytest.fixture(scope="module")
def window(quiet_stack: tuple[Stack, Window]) -> Window:
    return quiet_stack[1]


def _ad(numbers: list[str], **fields: object) -> CampaignSpec:
    return CampaignSpec(name="ad", sender="0212345678", template="봄맞이 세일 20%",
                        content_type="AD", provider="sens", **fields)  # fmt: skip


def test_an_ad_started_just_before_the_quiet_hours_holds_its_rest_until_they_end(
    stack: Stack, window: Window
) -> None:
    start, end = window
    _until(start - timedelta(seconds=5))
    numbers = [f"0107{i:07d}" for i in range(3000)]
    held = create_campaign(_ad(numbers), NumberList(numbers)).campaign_id
    _until(start + timedelta(seconds=1))  # in the quiet hours: consented ads still go
    consented = [f"0106{i:07d}" for i in range(10)]
    night = create_campaign(_ad(consented, night_consent=True), NumberList(consented))
    for campaign_id in (held, night.campaign_id):
        done = wait_until(lambda c=campaign_id: campaign_report(stack.engine, c).status
                          == "completed", 120)  # fmt: skip
        assert done, stack.logs()
    assert (template := _template(stack, held)) == (
        "(광고)바른상점 봄맞이 세일 20%\n무료수신거부 080-123-4567"), template  # fmt: skip
    sent = _sent(stack, held)
    assert not [at for at in sent if start <= at < end], (start, end, sorted(sent))  # none in it
    assert [at for at in sent if at < start] and [at for at in sent if at >= end]
    assert [at for at in _sent(stack, night.campaign_id) if start <= at < end]


def _until(moment: datetime) -> None:
    time.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()))


def _template(stack: Stack, campaign_id: int) -> str:
    with stack.engine.connect() as conn:
        query = select(Campaign.template).where(Campaign.id == campaign_id)
        return str(conn.execute(query).scalar_one())


def _sent(stack: Stack, campaign_id: int) -> list[datetime]:
    """When each first-attempt request of the campaign was accepted."""
    with stack.engine.connect() as conn:
        query = select(Batch.sent_at).where(Batch.campaign_id == campaign_id, Batch.attempt == 1)
        return list(conn.execute(query).scalars())


def test_an_ad_the_law_would_refuse_is_refused_naming_what_is_missing(stack: Stack) -> None:
    bare = {"BULKSMS_AD__SENDER_NAME": "", "BULKSMS_AD__OPT_OUT_NUMBER": ""}
    with settings_env(bare), pytest.raises(SpecError, match="a free opt-out line, 무료수신거부"):
        create_campaign(_ad(["01012345678"]), NumberList(["01012345678"]))
