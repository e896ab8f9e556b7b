"""The demo: a 10,500-recipient campaign from a generated CSV, end to end against the simulators.

It prepares a fresh SQLite database (the embedded default), starts the provider simulators, a
worker, beat and the HTTP service, creates the campaign through the same code as `bulksms
campaign create`, shows progress until every recipient is final, prints the summary, and stops
what it started. 10,000 Korean numbers go through NAVER Cloud SENS (routing's first choice);
500 numbers abroad (British in E.164, Japanese by the row's `country`) go through API PLEX,
whose simulator reports every result by webhook to the HTTP service. The simulators let
numbers that failed for a transient reason succeed when sent again, so the summary shows
re-sends recovering.

    python -m scripts.demo                  # routed: SENS, and API PLEX abroad
    python -m scripts.demo --provider nhn   # everything through NHN Cloud (a code each abroad)
"""

import argparse
import csv
import os
import random
import sys
import time
from pathlib import Path

from rich.console import Console

from config import providers
from scripts import stack

ROOT = stack.ROOT
VAR = ROOT / "var" / "demo"
RECIPIENTS = 10_000
ABROAD = 500
DB_URL = f"sqlite:///{VAR / 'demo.db'}"
NAMES = ["김민준", "이서연", "박지호", "최하은", "정도윤", "강서윤", "조예준", "윤지우"]


def write_csv(path: Path, count: int) -> None:
    """A recipient list as marketing teams bring it: mixed number formats, a few bad rows."""
    rng = random.Random(7)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["휴대폰", "name", "coupon", "country"])
        for i in range(count):
            number = f"010{50_000_000 + i:08d}"
            shown = f"{number[:3]}-{number[3:7]}-{number[7:]}" if i % 3 else number
            writer.writerow([shown, rng.choice(NAMES), f"C{i:05d}", ""])
        for i in range(ABROAD // 2):  # British numbers in E.164, Japanese by their country
            writer.writerow([f"+44 7911 {100_000 + i}", "Alex", f"G{i:05d}", ""])
            writer.writerow([f"090-1{200 + i:03d}-{i:04d}", "Yuki", f"J{i:05d}", "JP"])
        writer.writerow(["02-123-4567", "landline", "X", ""])  # rejected: not a mobile number
        writer.writerow(["010-5000-0001", "duplicate", "Y", ""])  # dropped: already listed


def demo_env() -> dict[str, str]:
    """Settings for every process of the demo (one SQLite file, the default broker)."""
    return {
        **stack.simulators_env(),
        "BULKSMS_DATABASE_URL": DB_URL,
        "BULKSMS_POLL__FIRST_DELAY_SECONDS": "3",
        "BULKSMS_POLL__BACKOFF_SECONDS": "[2, 5, 10]",
        "BULKSMS_SENS__LIMITS__RATE_PER_SECOND": "20",
        "BULKSMS_NHN__LIMITS__RATE_PER_SECOND": "5",
        # Re-send transient failures after seconds, not the production minutes.
        "BULKSMS_RESEND__BACKOFF_SECONDS": "[4, 8]",
        "BULKSMS_RESEND__BEAT_INTERVAL_SECONDS": "1",
    }


def run(console: Console, provider: str) -> int:
    """Start the stack, run the campaign, print the report; returns the exit status."""
    os.environ.update(demo_env())
    # Imported after the environment is set: settings are read once per process.
    from producer import views
    from producer.campaigns import create_campaign
    from producer.cli import campaign_watch
    from producer.sources import CsvSource
    from producer.spec import CampaignSpec
    from worker.db import migrate

    migrate.upgrade(DB_URL)
    csv_path = VAR / "recipients.csv"
    write_csv(csv_path, RECIPIENTS)
    total = RECIPIENTS + ABROAD
    console.print(f"[bold]demo[/bold]: {total:,} recipients in {csv_path.relative_to(ROOT)}")
    spec = CampaignSpec(
        name="demo: delivery notice",
        sender="0212345678",
        template="[배송안내] {name}님, 주문하신 상품이 출발했습니다. 쿠폰 {coupon}",
        provider=provider,
        country_column="country",
    )
    report = create_campaign(spec, CsvSource(csv_path))
    views.print_import(console, report)
    started = time.monotonic()
    campaign_watch(report.campaign_id, timeout=600)
    console.print(f"demo finished in {time.monotonic() - started:.1f} s after the import")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Fresh database and queues, the stack up, the campaign, the stack down."""
    parser = argparse.ArgumentParser(description=__doc__)
    choices = [providers.AUTO, *providers.provider_names()]
    parser.add_argument("--provider", default=providers.AUTO, choices=choices)
    args = parser.parse_args(argv)
    console = Console()
    VAR.mkdir(parents=True, exist_ok=True)
    (VAR / "demo.db").unlink(missing_ok=True)
    run_dir = VAR / "run"
    env = stack.stack_env(demo_env())
    table = stack.services(
        beat_schedule=str(run_dir / "celerybeat-schedule"),
        sim_args=["--complete-delay", "2", "--recover-after", "1"],
    )
    names = [stack.simulator_name(entry.name) for entry in providers.ENTRIES]
    processes = []
    try:
        for name in (*names, "worker", "beat", "serve"):
            processes.append(stack.start(table[name], run_dir, env))
        stack.wait_simulators(names)
        stack.wait_worker(env)
        stack.wait_http("http://127.0.0.1:8000/health")
        return run(console, args.provider)
    except SystemExit as exc:
        return int(exc.code or 0)
    finally:
        stack.stop_pids([process.pid for process in processes])
        console.print(
            f"stopped the simulators, worker, beat and the HTTP service; logs in "
            f"{run_dir.relative_to(ROOT)}"
        )


if __name__ == "__main__":
    sys.exit(main())
