"""Import benchmark: N generated rows into a fresh PostgreSQL schema; rows/s and peak RSS.

.venv/bin/python -m bench.import_bench              # 100k and 1M, each in a subprocess
.venv/bin/python -m bench.import_bench --rows 250000
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import NullPool, create_engine, text

PG_ADMIN_URL = os.environ.get(
    "BULKSMS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TARGET_RATE = 150_000
TARGET_RSS_MB = 200
SIZES = (100_000, 1_000_000)
NAMES = ("김민준", "이서연", "박지호", "최유진", "정하은", "강도윤", "조서아", "윤시우")
TEMPLATE = "{이름}님, 쿠폰 {쿠폰} 이 발급되었습니다."


def generate(path: Path, rows: int, seed: int = 1) -> None:
    """A UTF-8 CSV of `rows` recipients: mixed number forms, ~1% repeats, ~0.5% bad numbers."""
    pick = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("이름,전화번호,쿠폰\n")
        for i in range(rows):
            handle.write(f"{pick.choice(NAMES)},{_number(pick, i)},C{i:08d}\n")


def _number(pick: random.Random, i: int) -> str:
    draw = pick.random()
    serial = i if draw > 0.01 else pick.randrange(max(i, 1))  # ~1% repeat an earlier number
    digits = f"{serial % 100_000_000:08d}"
    if draw > 0.995:
        return f"02-{digits[:3]}-{digits[3:7]}"  # landline: rejected
    if draw > 0.98:
        return f"+82 10 {digits[:4]} {digits[4:]}"  # slow path through phonenumbers
    if draw > 0.5:
        return f"010-{digits[:4]}-{digits[4:]}"
    return f"010{digits}"


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A URL on a new, migrated schema, dropped afterwards."""
    from worker.db import migrate

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{PG_ADMIN_URL}?options={quote(f'-csearch_path={schema}')}"
        migrate.upgrade(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run_one(rows: int) -> dict[str, float]:
    """Generate, import and measure one size in this process."""
    from config.settings import Settings
    from producer.campaigns import create_campaign
    from producer.sources import CsvSource
    from producer.spec import CampaignSpec
    from worker.db.engine import get_engine

    with tempfile.TemporaryDirectory() as folder, fresh_schema() as url:
        path = Path(folder) / "recipients.csv"
        generate(path, rows)
        spec = CampaignSpec(name="bench", sender="0212345678", template=TEMPLATE)
        started = time.perf_counter()
        report = create_campaign(spec, CsvSource(path), Settings(database_url=url), enqueue=False)
        seconds = time.perf_counter() - started
        get_engine(url).dispose()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "rows": report.read,
        "imported": report.imported,
        "duplicates": report.duplicates,
        "rejected": report.rejected,
        "seconds": seconds,
        "rate": report.read / seconds,
        "peak_rss_mb": peak_kb / 1024,
    }


def run_in_subprocess(rows: int) -> dict[str, float]:
    """One size in a child process, so that its peak RSS is its own."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.import_bench", "--one", str(rows)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(results: list[dict[str, float]]) -> None:
    """Print each run and whether the targets hold."""
    for r in results:
        print(
            f"{r['rows']:>9,.0f} rows: {r['seconds']:6.2f} s, {r['rate']:>9,.0f} rows/s, "
            f"peak RSS {r['peak_rss_mb']:5.1f} MB (imported {r['imported']:,.0f}, "
            f"duplicates {r['duplicates']:,.0f}, rejected {r['rejected']:,.0f})"
        )
    rates = [r["rate"] for r in results]
    print(f"rate >= {TARGET_RATE:,} rows/s: {all(rate >= TARGET_RATE for rate in rates)}")
    small = all(r["peak_rss_mb"] < TARGET_RSS_MB for r in results)
    print(f"peak RSS < {TARGET_RSS_MB} MB: {small}")
    if len(rates) > 1:
        print(f"rates within ±20% of each other: {min(rates) >= 0.8 * max(rates)}")


def main() -> None:
    """Run the sizes asked for (each in its own process) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="rows (repeatable)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    report([run_in_subprocess(rows) for rows in args.rows or SIZES])


if __name__ == "__main__":
    main()
