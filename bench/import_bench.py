"""Import benchmark: N generated rows into a fresh PostgreSQL schema; rows/s and peak RSS.

.venv/bin/python -m bench.import_bench              # 100k and 1M, each in a subprocess
.venv/bin/python -m bench.import_bench --rows 250000
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.support import TEMPLATE, fresh_schema, generate
from scripts.simulated import simulated_settings

TARGET_RATE = 150_000
TARGET_RSS_MB = 200
SIZES = (100_000, 1_000_000)


def run_one(rows: int) -> dict[str, float]:
    """Generate, import and measure one size in this process."""
    from producer.campaigns import create_campaign
    from producer.sources import CsvSource
    from producer.spec import CampaignSpec
    from worker.db.engine import get_engine

    with tempfile.TemporaryDirectory() as folder, fresh_schema() as url:
        path = Path(folder) / "recipients.csv"
        generate(path, rows)
        spec = CampaignSpec(name="bench", sender="0212345678", template=TEMPLATE)
        started = time.perf_counter()
        report = create_campaign(
            spec, CsvSource(path), simulated_settings(database_url=url), enqueue=False
        )
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
