"""Baseline: the same CSV campaign sent by one Celery task per recipient (bench/naive.py).

.venv/bin/python -m bench.baseline_bench --rows 10000 [--concurrency 4]
"""

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from bench.support import TEMPLATE, cpu_by_role, free_port, fresh_redis, fresh_schema, generate
from config import providers
from scripts import stack
from scripts.simulated import simulated_settings

REDIS_DB = 12


def _worker(concurrency: int) -> stack.Service:
    argv = [str(stack.BIN / "celery"), "-A", "bench.naive", "worker", "-Q", "naive"]
    return stack.Service("naive", [*argv, "-c", str(concurrency), "--loglevel", "WARNING"])


def _publish(url: str, campaign_id: int, settings_env: dict[str, str]) -> int:
    """One task per recipient, on one producer connection; returns how many."""
    os.environ.update(settings_env)
    from bench.naive import TASK, app
    from worker.db.engine import get_engine
    from worker.db.models import Recipient

    query = select(Recipient.id).where(Recipient.campaign_id == campaign_id)
    with get_engine(url).connect() as conn:
        ids = list(conn.execute(query.order_by(Recipient.id)).scalars())
    with app.producer_or_acquire() as producer:
        for recipient_id in ids:
            app.send_task(TASK, args=(recipient_id,), producer=producer)
    return len(ids)


def _wait(url: str, campaign_id: int, total: int, limit: float) -> float:
    """Epoch time of the last acceptance once `total` recipients are accepted."""
    from worker.db.engine import get_engine
    from worker.db.models import Recipient

    where = (Recipient.campaign_id == campaign_id, Recipient.status == "accepted")
    deadline = time.monotonic() + limit
    with get_engine(url).connect() as conn:
        while conn.execute(select(func.count()).where(*where)).scalar_one() < total:
            if time.monotonic() > deadline:
                raise TimeoutError("baseline did not finish")
            conn.rollback()
            time.sleep(0.5)
        return conn.execute(select(func.max(Recipient.completed_at)).where(*where)).scalar_one()


def run(rows: int, concurrency: int) -> dict:
    """Import `rows` from CSV, send them one task each; recipients/s from the import start."""
    from producer.campaigns import create_campaign
    from producer.sources import CsvSource
    from producer.spec import CampaignSpec

    port = free_port()
    with tempfile.TemporaryDirectory() as folder, fresh_schema() as url:
        path = Path(folder) / "recipients.csv"
        generate(path, rows)
        redis_url = fresh_redis(REDIS_DB)
        extra = {
            "BULKSMS_DATABASE_URL": url,
            "BULKSMS_BROKER_URL": redis_url,
            **providers.simulator_env(providers.SENS, port=port),
            "BULKSMS_LOG_LEVEL": "WARNING",
        }
        env = stack.stack_env(extra)
        table = stack.services(sim_ports={"sens": port}, sim_args=["--log-level", "WARNING"])
        sim = table[stack.simulator_name("sens")]
        run_dir = Path(folder) / "run"
        processes = [
            stack.start(sim, run_dir, env),
            stack.start(_worker(concurrency), run_dir, env),
        ]
        try:
            stack.wait_http(f"http://127.0.0.1:{port}/_sim/health")
            time.sleep(3)  # the naive worker has no ping helper; give it time to start
            roles = {"naive worker": processes[1].pid, "simulator": processes[0].pid}
            before = cpu_by_role(roles)
            started = time.time()
            spec = CampaignSpec(name="naive", sender="0212345678", template=TEMPLATE)
            settings = simulated_settings(database_url=url, broker_url=redis_url)
            report = create_campaign(spec, CsvSource(path), settings, enqueue=False)
            total = _publish(url, report.campaign_id, extra)
            last = _wait(url, report.campaign_id, total, 900).timestamp()
            after = cpu_by_role(roles)
        finally:
            stack.stop_pids([process.pid for process in processes])
    seconds = last - started
    cpu = {k: v - before.get(k, 0.0) for k, v in after.items()}
    return {"recipients": total, "seconds": seconds, "per_s": total / seconds, "cpu_s": cpu}


def main() -> None:
    """Run the baseline once and print its figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    print(json.dumps(run(args.rows, args.concurrency)))


if __name__ == "__main__":
    main()
