"""Dispatch benchmark: a CSV campaign through the real stack, to all accepted, then all final.

.venv/bin/python -m bench.dispatch_bench --rows 100000 [--concurrency 4]

Fresh PostgreSQL schema, Redis db 13 flushed, and real simulator (no rate limit), worker and
beat processes. Measures: time to the first accepted batch and to every recipient accepted
(from the start of the CSV import), then, with polls released only afterwards, final
statuses applied per second; peak RSS (VmHWM) of every process.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select, update

from bench.support import (
    TEMPLATE,
    RssWatch,
    cpu_by_role,
    free_port,
    fresh_redis,
    fresh_schema,
    generate,
    peak_rss_mb,
)
from config import providers
from scripts import stack

REDIS_DB = 13
CONCURRENCY = 4
COMPLETE_DELAY = 0.2
# Polls wait until dispatch is measured; the bench then makes every batch due at once.
HOLD_POLLS = 3600


def bench_env(url: str, redis_url: str, sim_url: str, concurrency: int) -> dict[str, str]:
    """Settings for throughput: no effective rate limit, polls held back, fast beat."""
    return stack.stack_env(
        {
            "BULKSMS_DATABASE_URL": url,
            "BULKSMS_BROKER_URL": redis_url,
            "BULKSMS_REDIS_URL": redis_url,
            **providers.simulator_env(providers.SENS, port=int(sim_url.rsplit(":", 1)[1])),
            "BULKSMS_SENS__LIMITS__RATE_PER_SECOND": "100000",
            "BULKSMS_SENS__LIMITS__BURST": "10000",
            "BULKSMS_SENS__LIMITS__MAX_IN_FLIGHT": str(concurrency * 2),
            "BULKSMS_POLL__FIRST_DELAY_SECONDS": str(HOLD_POLLS),
            "BULKSMS_POLL__BEAT_INTERVAL_SECONDS": "0.5",
            "BULKSMS_POLL__BATCHES_PER_ROUND": "1000",
            "BULKSMS_LOG_LEVEL": "WARNING",
        }
    )


@contextmanager
def running(env: dict[str, str], run_dir: Path, sim_port: int, concurrency: int) -> Iterator[dict]:
    """Simulator, worker and beat; yields their pids by name."""
    table = stack.services(
        sim_ports={"sens": sim_port},
        concurrency=concurrency,
        beat_schedule=str(run_dir / "celerybeat-schedule"),
        sim_args=["--complete-delay", str(COMPLETE_DELAY), "--log-level", "WARNING"],
    )
    table["worker"].argv[table["worker"].argv.index("INFO")] = "WARNING"
    simulator = stack.simulator_name("sens")
    processes = {
        "simulator": stack.start(table[simulator], run_dir, env),
        "worker": stack.start(table["worker"], run_dir, env),
    }
    try:
        stack.wait_http(f"http://127.0.0.1:{sim_port}/_sim/health")
        stack.wait_worker(env)
        processes["beat"] = stack.start(table["beat"], run_dir, env)
        _wait_beat(run_dir / "beat.log")
        yield {name: p.pid for name, p in processes.items()}
    finally:
        stack.stop_pids([process.pid for process in processes.values()])


def _wait_beat(log: Path, timeout: float = 30.0) -> None:
    """Wait for beat's first tick: its start-up (a second of CPU) would otherwise compete
    with the campaign on two cores, which a long-running beat never does."""
    deadline = time.monotonic() + timeout
    while b"Sending due task" not in log.read_bytes():
        if time.monotonic() > deadline:
            raise TimeoutError(f"beat sent nothing within {timeout:.0f} s; see {log}")
        time.sleep(0.1)


def _batch_progress(engine: Engine, campaign_id: int) -> tuple[int, datetime | None]:
    """Recipients in accepted batches, and when the first batch was sent."""
    from worker.db.models import Batch

    query = select(func.coalesce(func.sum(Batch.recipient_count), 0), func.min(Batch.sent_at))
    query = query.where(Batch.campaign_id == campaign_id, Batch.status == "accepted")
    with engine.connect() as conn:
        done, first = conn.execute(query).one()
    return int(done), first


def _wait_accepted(engine: Engine, campaign_id: int, total: int, limit: float) -> float:
    """Wait until `total` recipients are accepted; the epoch time of the last acceptance."""
    from worker.db.models import Batch

    deadline = time.monotonic() + limit
    while _batch_progress(engine, campaign_id)[0] < total:
        if time.monotonic() > deadline:
            raise TimeoutError(f"campaign {campaign_id} not accepted within {limit:.0f} s")
        time.sleep(0.25)
    with engine.connect() as conn:
        last = conn.execute(select(func.max(Batch.sent_at)).where(Batch.campaign_id == campaign_id))
        return last.scalar_one().timestamp()


def _measure_results(engine: Engine, campaign_id: int, limit: float) -> float:
    """Make every batch due for polling now; seconds until every result is applied.

    A batch completes once none of its recipients awaits a result (transient failures then
    wait for their re-send, minutes later, which is not measured here).
    """
    from worker.db.models import Batch

    time.sleep(COMPLETE_DELAY)  # every message has completed at the simulator
    started = time.time()
    with engine.begin() as conn:
        conn.execute(
            update(Batch)
            .where(Batch.campaign_id == campaign_id)
            .values(next_poll_at=datetime.fromtimestamp(started, UTC))
        )
    waiting = select(func.count()).where(
        Batch.campaign_id == campaign_id, Batch.status == "accepted"
    )
    last = select(func.max(Batch.completed_at)).where(Batch.campaign_id == campaign_id)
    while time.time() - started < limit:
        with engine.connect() as conn:
            if conn.execute(waiting).scalar_one() == 0:
                return conn.execute(last).scalar_one().timestamp() - started
        time.sleep(0.25)
    return float("nan")


def run_one(rows: int, concurrency: int, results: bool) -> dict[str, float]:
    """One campaign of `rows` CSV recipients through the stack; the figures."""
    from producer.campaigns import create_campaign
    from producer.sources import CsvSource
    from producer.spec import CampaignSpec
    from scripts.simulated import simulated_settings
    from worker.db.engine import get_engine

    sim_port = free_port()
    with tempfile.TemporaryDirectory() as folder, fresh_schema() as url:
        path = Path(folder) / "recipients.csv"
        generate(path, rows)
        env = bench_env(url, fresh_redis(REDIS_DB), f"http://127.0.0.1:{sim_port}", concurrency)
        settings = simulated_settings(
            {"sens": f"http://127.0.0.1:{sim_port}"},
            database_url=url,
            broker_url=env["BULKSMS_BROKER_URL"],
            redis_url=env["BULKSMS_REDIS_URL"],
        )
        with running(env, Path(folder) / "run", sim_port, concurrency) as pids:
            engine = get_engine(url)
            with RssWatch(pids) as watch:
                spec = CampaignSpec(name="bench", sender="0212345678", template=TEMPLATE)
                roles = {**pids, "producer": os.getpid()}
                cpu_before = cpu_by_role(roles)
                started = time.time()
                report = create_campaign(spec, CsvSource(path), settings)
                total = report.imported - report.suppressed
                last = _wait_accepted(engine, report.campaign_id, total, 600)
                cpu_after = cpu_by_role(roles)
                first = _batch_progress(engine, report.campaign_id)[1].timestamp()
                applied = _measure_results(engine, report.campaign_id, 300) if results else 0
                cpu_results = cpu_by_role(roles)
            engine.dispose()
    peaks = {**watch.peaks, "producer": peak_rss_mb(os.getpid())}
    return {
        "rows": rows,
        "recipients": total,
        "import_s": report.seconds,
        "first_send_s": first - started,
        "all_accepted_s": last - started,
        "accepted_per_s": total / (last - started),
        "results_s": applied,
        "results_per_s": total / applied if applied else 0.0,
        "concurrency": concurrency,
        "peak_rss_mb": peaks,
        # CPU seconds each role spent from the import to all accepted (2 cores: 2 s per s).
        "cpu_s": {k: v - cpu_before.get(k, 0.0) for k, v in cpu_after.items()},
        # CPU seconds each role spent applying every result.
        "results_cpu_s": {k: v - cpu_after.get(k, 0.0) for k, v in cpu_results.items()},
    }


def run_in_subprocess(rows: int, concurrency: int, results: bool = True) -> dict:
    """One size in a child process, so that the producer's peak RSS is its own."""
    argv = [sys.executable, "-m", "bench.dispatch_bench", "--one", str(rows)]
    argv += ["--concurrency", str(concurrency)] + ([] if results else ["--no-results"])
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"dispatch bench {rows} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def describe(r: dict) -> str:
    """One line of figures."""
    cpu = ", ".join(f"{k} {v:.1f}" for k, v in sorted(r["cpu_s"].items()))
    rss = ", ".join(f"{k} {v:.0f}" for k, v in sorted(r["peak_rss_mb"].items()))
    return (
        f"{r['recipients']:>9,} recipients: import {r['import_s']:.1f} s, first send "
        f"{r['first_send_s']:.2f} s, all accepted {r['all_accepted_s']:.1f} s "
        f"({r['accepted_per_s']:,.0f}/s); results {r['results_per_s']:,.0f}/s; "
        f"peak RSS MB: {rss}; CPU s: {cpu}"
    )


def main() -> None:
    """Run the sizes asked for, each in its own process, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="rows (repeatable)")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--no-results", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.concurrency, not args.no_results)))
        return
    for rows in args.rows or (10_000, 100_000):
        print(describe(run_in_subprocess(rows, args.concurrency, not args.no_results)), flush=True)


if __name__ == "__main__":
    main()
