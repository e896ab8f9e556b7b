"""Webhook intake benchmark: a local load generator posts NHN result hooks to `bulksms serve`.

.venv/bin/python -m bench.webhook_bench [--results 20000] [--clients 8]

A fresh schema and an accepted NHN request of N recipients; `bulksms serve` (uvicorn, one
process) takes MESSAGE_RESULT_UPDATE calls of 10 hooks each (as NHN's simulator batches them)
from `clients` threads; then the inbox is applied in this process through the same guarded
update polling uses. Measures results/s accepted (answered 200, stored) and applied, and
checks that nothing was lost: every call stored, every recipient final.
"""

import argparse
import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import requests

from bench.support import free_port, fresh_schema
from scripts import stack
from scripts.simulated import provider_settings, simulated_settings

TARGET_ACCEPTED = 2_000
HOOKS_PER_CALL = 10
SECRET = "bench-signature"
REQUEST_ID = "20261201100000benchRequest"


def _campaign(url: str, count: int) -> tuple[str, list[str]]:
    """An NHN campaign of `count` recipients in one request the provider accepted, as a send
    leaves it: (request id, numbers)."""
    from sqlalchemy import update

    from producer.campaigns import create_campaign
    from producer.sources import NumberList
    from producer.spec import CampaignSpec
    from worker.db.engine import get_engine
    from worker.db.models import Batch
    from worker.db.types import utcnow
    from worker.services.planning import plan_campaign

    numbers = [f"0107{i:07d}" for i in range(count)]
    spec = CampaignSpec(name="hooks", sender="0212345678", template="안내", provider="nhn")
    settings = simulated_settings(database_url=url)
    campaign_id = create_campaign(spec, NumberList(numbers), settings, enqueue=False).campaign_id
    engine = get_engine(url)
    plan_campaign(engine, campaign_id, lambda _: count, timedelta(hours=1), lambda _: None)
    with engine.begin() as conn:
        conn.execute(update(Batch).where(Batch.campaign_id == campaign_id).values(
            status="accepted", request_id=REQUEST_ID, sent_at=utcnow()))  # fmt: skip
    return REQUEST_ID, numbers


def _calls(request_id: str, numbers: list[str]) -> list[bytes]:
    """MESSAGE_RESULT_UPDATE bodies of HOOKS_PER_CALL hooks each."""
    bodies = []
    for start in range(0, len(numbers), HOOKS_PER_CALL):
        hooks = [{"requestId": request_id, "recipientSeq": start + i + 1, "recipientNo": n,
                  "messageStatus": "COMPLETED", "resultCode": "1000",
                  "receiveDate": "2026-12-01T10:00:00"}
                 for i, n in enumerate(numbers[start : start + HOOKS_PER_CALL])]  # fmt: skip
        bodies.append(json.dumps({"event": "MESSAGE_RESULT_UPDATE", "hooks": hooks}).encode())
    return bodies


def _post_all(base: str, bodies: list[bytes], clients: int) -> tuple[float, int]:
    """(seconds, calls answered 200) posting every body from `clients` threads."""
    local = threading.local()

    def post(body: bytes) -> bool:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        answer = local.session.post(
            f"{base}/webhooks/nhn", data=body, timeout=30,
            headers={"X-Toast-Webhook-Signature": SECRET, "Content-Type": "application/json"},
        )  # fmt: skip
        return answer.status_code == 200

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        ok = sum(pool.map(post, bodies))
    return time.perf_counter() - started, ok


def _serve(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = stack.stack_env({**stack.simulators_env(), "BULKSMS_DATABASE_URL": url,
                           "BULKSMS_NHN__WEBHOOK_SECRET": SECRET})  # fmt: skip
    argv = [str(Path(sys.executable).parent / "bulksms"), "serve", "--port", str(port)]
    process = subprocess.Popen(argv, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    stack.wait_http(f"http://127.0.0.1:{port}/health")
    return process


def _apply(url: str) -> tuple[float, int]:
    """(seconds, results applied) applying the whole inbox."""
    from config.settings import ResendSettings
    from worker.db.engine import get_engine
    from worker.providers.nhn.client import NhnClient
    from worker.services.inbox import Intake

    client = NhnClient(provider_settings("nhn", "http://127.0.0.1:9"))
    intake = Intake(get_engine(url), client, ResendSettings())
    started, applied = time.perf_counter(), 0
    while done := intake.apply_new():
        applied += done["results"]
    return time.perf_counter() - started, applied


def run(results: int, clients: int) -> dict[str, float]:
    """One intake run; its figures."""
    from sqlalchemy import func, select

    from worker.db.engine import get_engine
    from worker.db.models import InboxEvent, Recipient

    port = free_port()
    with fresh_schema() as url:
        request_id, numbers = _campaign(url, results)
        bodies = _calls(request_id, numbers)
        process = _serve(url, port, Path("/tmp") / f"bench-serve-{port}.log")
        try:
            seconds, ok = _post_all(f"http://127.0.0.1:{port}", bodies, clients)
        finally:
            process.terminate()
            process.wait(timeout=10)
        applying, applied = _apply(url)
        with get_engine(url).connect() as conn:
            stored = conn.execute(select(func.count()).select_from(InboxEvent)).scalar_one()
            final = conn.execute(
                select(func.count()).where(Recipient.status == "delivered")
            ).scalar_one()
        get_engine(url).dispose()
    return {
        "results": results, "calls": len(bodies), "answered": ok, "stored": stored,
        "accepted_per_s": results * ok / len(bodies) / seconds,
        "applied_per_s": applied / applying if applying else 0.0,
        "lost": results - final,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    print(json.dumps(run(args.results, args.clients), indent=2))


if __name__ == "__main__":
    main()
