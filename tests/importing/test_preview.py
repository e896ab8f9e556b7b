"""The preview reads a file as the import does and stores nothing; its counts are the import's."""

from collections import Counter
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import delete, func, insert, select
from typer.testing import CliRunner

from config import providers
from producer.ad_checks import ad_checks
from producer.campaigns import SpecError, create_campaign
from producer.cli import app
from producer.preview import imported_preview, preview_campaign
from producer.preview_view import print_preview, summary_line
from producer.report import campaign_report
from producer.sources import CsvSource
from producer.spec import CampaignSpec
from producer.views import print_report
from scripts.demo import ABROAD, RECIPIENTS, write_csv
from scripts.simulated import simulated_settings
from tests.envvars import settings_env
from tests.importing.conftest import HEADER
from worker.db import migrate
from worker.db.engine import get_engine
from worker.db.models import Campaign, Recipient, Suppression
from worker.db.types import utcnow
from worker.domain.messages import euc_kr_length

TEMPLATE = "{이름}님 쿠폰 {쿠폰}"
LISTED = "01098760001"
LONG = "가" * 45  # filled in, the message passes 90 bytes: an LMS, though the template fits
ROWS = [
    "홍길동,010-1111-2222,A1",
    "김철수,010-3333-4444,B2",
    "김철수,010-3333-4444,B3",  # a repeat: the first row wins
    "bad,02-123-4567,C",  # line 5: a landline
    f"긴이름,010-5555-6666,{LONG}",  # line 6
    "거부,010-9876-0001,D",  # on the suppression list
    f"또긴이름,010-5555-7777,{LONG}",  # line 8
    "abroad,+44 7911 123456,X",
]


@pytest.fixture()
def listed(engine):
    """One number on the suppression list for the test's length."""
    with engine.begin() as conn:
        conn.execute(
            insert(Suppression).values(
                phone=LISTED, reason="opt-out", source="test", created_at=utcnow()
            )
        )
    yield LISTED
    with engine.begin() as conn:
        conn.execute(delete(Suppression).where(Suppression.phone == LISTED))


@pytest.fixture()
def mixed(write, listed) -> Path:
    return write(f"{HEADER}\n" + "".join(f"{row}\n" for row in ROWS))


@pytest.fixture()
def settings(pg_url):
    return simulated_settings(database_url=pg_url)


def spec(**fields) -> CampaignSpec:
    return CampaignSpec(**{"name": "t", "sender": "0212345678", "template": TEMPLATE, **fields})


def stored_counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        campaigns = conn.execute(select(func.count()).select_from(Campaign)).scalar_one()
        recipients = conn.execute(select(func.count()).select_from(Recipient)).scalar_one()
    return campaigns, recipients


def sent_types(engine, campaign_id: int) -> dict[str, int]:
    """The stored recipients' types, those on the suppression list left out (never sent)."""
    query = select(Recipient.message_type).where(
        Recipient.campaign_id == campaign_id, Recipient.status != "suppressed"
    )
    with engine.connect() as conn:
        return dict(Counter(conn.execute(query).scalars()))


def test_a_mixed_file_is_counted_exactly(mixed, settings):
    preview = preview_campaign(spec(), CsvSource(mixed), settings)
    assert (preview.read, preview.rejected, preview.duplicates) == (8, 1, 1)
    assert (preview.suppressed, preview.sendable) == (1, 5)
    assert [(e.line, e.reason) for e in preview.errors] == [
        (5, "02-****4567 is not a mobile number")
    ]
    assert preview.by_type == {"SMS": 2, "LMS": 2, "INTL": 1}
    assert (preview.abroad, preview.parts_each) == ((1, 1), 1.0)
    long_size = euc_kr_length(f"긴이름님 쿠폰 {LONG}")
    assert preview.grown == 2
    grown = [(row.line, row.number, row.size) for row in preview.grown_examples]
    assert grown == [(6, "010****6666", long_size), (8, "010****7777", long_size + 2)]
    assert dict(preview.histogram) == {
        "0-45": 2, "46-90": 0, "91-200": 2, "201-500": 0, "501-1000": 0, "1001-2000": 0,
    }  # fmt: skip


def test_the_cost_and_time_follow_the_routing_and_the_prices(mixed, settings):
    preview = preview_campaign(spec(), CsvSource(mixed), settings)
    lines = [(t.kind, t.provider, t.recipients, t.price, t.cost) for t in preview.types]
    assert lines == [
        ("SMS", "sens", 2, 9.0, 18.0),
        ("LMS", "sens", 2, 30.0, 60.0),
        ("INTL", "apiplex", 1, 80.0, 80.0),  # per part abroad
    ]
    assert (preview.cost, preview.priced) == (158.0, True)
    assert {(t.provider, t.recipients, t.batches) for t in preview.times} == {
        ("sens", 4, 2),  # SMS and LMS go in batches of their own
        ("apiplex", 1, 1),
    }
    assert preview.send_seconds == pytest.approx(2 / 10)  # the default 10 requests/s
    pinned = preview_campaign(spec(provider="nhn"), CsvSource(mixed), settings)
    assert [(t.kind, t.provider, t.cost) for t in pinned.types][-1] == ("INTL", "nhn", 100.0)


def test_the_preview_counts_what_create_campaign_then_stores(mixed, settings, engine):
    preview = preview_campaign(spec(), CsvSource(mixed), settings)
    report = create_campaign(spec(), CsvSource(mixed), settings, enqueue=False)
    assert sent_types(engine, report.campaign_id) == preview.by_type
    assert (report.read, report.rejected) == (preview.read, preview.rejected)
    assert (report.duplicates, report.suppressed) == (preview.duplicates, preview.suppressed)
    assert (report.abroad, report.abroad_parts) == preview.abroad
    assert [(e.line, e.reason) for e in report.errors] == [
        (e.line, e.reason) for e in preview.errors
    ]


def test_the_preview_stores_nothing(mixed, settings, engine):
    before = stored_counts(engine)
    preview_campaign(spec(), CsvSource(mixed), settings)
    preview_campaign(spec(), CsvSource(mixed), settings)  # the scratch table went each time
    assert stored_counts(engine) == before


def test_a_bad_spec_is_refused_as_create_refuses_it(mixed, settings):
    with pytest.raises(SpecError, match="template uses"):
        preview_campaign(spec(template="{없는열}"), CsvSource(mixed), settings)
    with pytest.raises(SpecError, match="no provider of this campaign sends abroad"):
        preview_campaign(spec(provider="sens", default_country="JP"), CsvSource(mixed), settings)


def test_an_advertisement_reports_its_mark_and_opt_out(mixed, settings):
    ad = spec(template="(광고) {이름}님 쿠폰 {쿠폰} 무료거부 0801234567", content_type="AD")
    checks = preview_campaign(ad, CsvSource(mixed), settings).ads
    assert (checks.marked, checks.opt_out) == (True, True)
    assert preview_campaign(spec(), CsvSource(mixed), settings).ads is None
    # Built unchecked: the spec may come to refuse such a template itself.
    bare = ad_checks(CampaignSpec.model_construct(template="쿠폰 {쿠폰}", content_type="AD"))
    assert (bare.marked, bare.opt_out) == (False, False)


def test_max_cost_refuses_a_campaign_over_budget_and_stores_nothing(mixed, settings, engine):
    before = stored_counts(engine)
    with pytest.raises(SpecError) as refused:
        create_campaign(spec(), CsvSource(mixed), settings, enqueue=False, max_cost=100)
    assert str(refused.value) == (
        "estimated cost ₩158 is above --max-cost ₩100; nothing was stored"
    )
    assert stored_counts(engine) == before
    report = create_campaign(spec(), CsvSource(mixed), settings, enqueue=False, max_cost=158)
    assert report.imported == 6


def cli_env(pg_url: str) -> dict[str, str]:
    env = {"BULKSMS_DATABASE_URL": pg_url}
    for entry in providers.ENTRIES:
        env.update(providers.simulator_env(entry))
    return env


def test_the_preview_command_prints_its_tables(mixed, pg_url, engine):
    before = stored_counts(engine)
    args = ["campaign", "preview", "--csv", str(mixed), "--from", "0212345678"]
    with settings_env(cli_env(pg_url)):
        result = CliRunner().invoke(app, [*args, "--template", TEMPLATE])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "8 rows: 5 to send (SMS 2, LMS 2, INTL 1), 1 duplicates, 1 suppressed" in flat
    for title in ("by type", "message sizes", "become LMS only once filled in", "rejected rows"):
        assert title in flat
    assert "₩158" in flat and "nothing was stored or queued" in flat
    assert stored_counts(engine) == before


def test_create_with_max_cost_over_budget_exits_2_storing_nothing(mixed, pg_url, engine):
    before = stored_counts(engine)
    args = ["campaign", "create", "--csv", str(mixed), "--from", "0212345678", "--max-cost", "99"]
    with settings_env(cli_env(pg_url)):
        result = CliRunner().invoke(app, [*args, "--template", TEMPLATE])
    assert result.exit_code == 2
    flat = " ".join(result.output.split())
    assert "estimated cost ₩158 is above --max-cost ₩99; nothing was stored" in flat
    assert stored_counts(engine) == before


def test_the_demo_file_previews_as_it_imports(tmp_path, settings, engine):
    path = tmp_path / "demo.csv"
    write_csv(path, RECIPIENTS)
    demo = spec(
        template="[배송안내] {name}님, 주문하신 상품이 출발했습니다. 쿠폰 {coupon}",
        country_column="country",
    )
    preview = preview_campaign(demo, CsvSource(path), settings)
    assert preview.by_type == {"SMS": RECIPIENTS, "INTL": ABROAD}
    assert (preview.rejected, preview.duplicates) == (1, 1)
    out = Console(record=True, width=120)
    print_preview(out, preview)
    assert f"{RECIPIENTS + ABROAD:,} to send" in out.export_text()
    report = create_campaign(demo, CsvSource(path), settings, enqueue=False)
    assert sent_types(engine, report.campaign_id) == preview.by_type
    assert (report.rejected, report.duplicates) == (preview.rejected, preview.duplicates)
    assert (report.abroad, report.abroad_parts) == preview.abroad


def test_the_summary_after_a_create_is_the_preview_s(mixed, settings, engine):
    preview = preview_campaign(spec(), CsvSource(mixed), settings)
    report = create_campaign(spec(), CsvSource(mixed), settings, enqueue=False)
    assert summary_line(imported_preview(engine, report, settings)) == summary_line(preview)


def test_the_report_counts_types_and_their_cost(mixed, settings, engine):
    report = create_campaign(spec(), CsvSource(mixed), settings, enqueue=False)
    status = campaign_report(engine, report.campaign_id, settings)
    assert status.by_type == {"SMS": 3, "LMS": 2, "INTL": 1}  # the suppressed SMS too
    assert status.cost_by_type == {"SMS": 18.0, "LMS": 60.0, "INTL": 80.0}  # it costs nothing
    out = Console(record=True, width=120)
    print_report(out, status)
    assert "by type" in out.export_text()


def test_a_preview_on_sqlite_counts_the_same(tmp_path, write):
    url = f"sqlite:///{tmp_path / 'bulksms.db'}"
    migrate.upgrade(url)
    with get_engine(url).begin() as conn:
        conn.execute(insert(Suppression).values(phone=LISTED, reason="x", source="test",
                                                created_at=utcnow()))  # fmt: skip
    path = write(f"{HEADER}\n" + "".join(f"{row}\n" for row in ROWS))
    sqlite = simulated_settings(database_url=url)
    preview = preview_campaign(spec(), CsvSource(path), sqlite)
    assert (preview.read, preview.rejected, preview.duplicates, preview.suppressed) == (8, 1, 1, 1)
    assert (preview.by_type, preview.grown) == ({"SMS": 2, "LMS": 2, "INTL": 1}, 2)
    assert stored_counts(get_engine(url)) == (0, 0)
    assert preview_campaign(spec(), CsvSource(path), sqlite).by_type == preview.by_type
