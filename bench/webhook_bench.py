"""Webhook intake benchmark: a local load generator posts result webhooks to `bulksms serve`.

.venv/bin/python -m bench.webhook_bench [--provider nhn|apiplex] [--results 20000] [--clients 8]

A fresh schema and an accepted request of N recipients; `bulksms serve` (uvicorn, one
process) takes the provider's calls from `clients` threads: NHN's MESSAGE_RESULT_UPDATE with
10 hooks a call (as NHN's simulator batches them), API PLEX's one record a call
(PROVIDERS.md). Then the inbox is applied in this process through the same guarded update
polling uses. Measures results/s accepted (answered 200, stored) and applied, and checks that
nothing was lost: every call stored, every recipient final.
"""

import argparse
import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from bench.loadgen import post_all
from bench.support import free_port, fresh_schema
from scripts import stack
from scripts.simulated import provider_settings, simulated_settings

TARGET_ACCEPTED = 2_000
HOOKS_PER_CALL = 10
# uvicorn processes of `bulksms serve` (BULKSMS_SERVICE__WORKERS): one a core on 2 cores.
WORKERS = 2
SECRET = "bench-signature"
REQUEST_ID = "20261201100000benchRequest"


def _campaign(url: str, count: int, provider: str) -> tuple[int, list[str]]:
    """A campaign of `count` recipients in one request the provider accepted, as a send
    leaves it: (batch id, numbers)."""
    from sqlalchemy import select, update

    from producer.campaigns import create_campaign
    from producer.sources import NumberList
    from producer.spec import CampaignSpec
    from worker.db.engine import get_engine
    from worker.db.models import Batch
    from worker.db.types import utcnow
    from worker.services.planning import plan_campaign

    numbers = [NUMBERS[provider](i) for i in range(count)]
    spec = CampaignSpec(name="hooks", sender="0212345678", template="안내", provider=provider)
    settings = simulated_settings(database_url=url)
    campaign_id = create_campaign(spec, NumberList(numbers), settings, enqueue=False).campaign_id
    engine = get_engine(url)
    plan_campaign(engine, campaign_id, lambda _: count, timedelta(hours=1), lambda _: None)
    with engine.begin() as conn:
        conn.execute(update(Batch).where(Batch.campaign_id == campaign_id).values(
            status="accepted", request_id=REQUEST_ID, sent_at=utcnow()))  # fmt: skip
        batch_id = conn.execute(select(Batch.id).where(Batch.campaign_id == campaign_id))
    return int(batch_id.scalar_one()), numbers


NUMBERS = {"nhn": lambda i: f"0107{i:07d}", "apiplex": lambda i: f"+447911{i:06d}"}


def _nhn_calls(batch_id: int, numbers: list[str]) -> list[bytes]:
    """MESSAGE_RESULT_UPDATE bodies of HOOKS_PER_CALL hooks each."""
    bodies = []
    for start in range(0, len(numbers), HOOKS_PER_CALL):
        hooks = [{"requestId": REQUEST_ID, "recipientSeq": start + i + 1, "recipientNo": n,
                  "messageStatus": "COMPLETED", "resultCode": "1000",
                  "receiveDate": "2026-12-01T10:00:00"}
                 for i, n in enumerate(numbers[start : start + HOOKS_PER_CALL])]  # fmt: skip
        bodies.append(json.dumps({"event": "MESSAGE_RESULT_UPDATE", "hooks": hooks}).encode())
    return bodies


def _apiplex_calls(batch_id: int, numbers: list[str]) -> list[bytes]:
    """One {"results": [record]} a call, as API PLEX posts them."""
    status = {"groupId": 3, "groupName": "DELIVERED", "id": 5, "name": "DELIVERED_TO_HANDSET"}
    return [json.dumps({"results": [{"messageId": f"m{i}", "to": n, "status": status,
                                     "echo_to_webhook": f"{batch_id}:1",
                                     "doneAt": "2026-12-01T10:00:00+09:00"}]}).encode()
            for i, n in enumerate(numbers)]  # fmt: skip


CALLS = {"nhn": _nhn_calls, "apiplex": _apiplex_calls}
# Each provider's secret, and how its calls carry it.
SECRETS = {"nhn": "BULKSMS_NHN__WEBHOOK_SECRET", "apiplex": "BULKSMS_APIPLEX__WEBHOOK_SECRET"}
HEADERS = {"nhn": "X-Toast-Webhook-Signature", "apiplex": "X-Webhook-Secret"}


def _post_all(base: str, provider: str, bodies: list[bytes], clients: int) -> tuple[float, int]:
    """(seconds, calls answered 200) posting every body over `clients` connections."""
    started = time.perf_counter()
    statuses = post_all(f"{base}/webhooks/{provider}", {HEADERS[provider]: SECRET}, bodies, clients)
    return time.perf_counter() - started, statuses.count(200)


def _serve(url: str, port: int, log: Path, workers: int) -> subprocess.Popen[bytes]:
    secrets = {variable: SECRET for variable in SECRETS.values()}
    env = stack.stack_env({**stack.simulators_env(), "BULKSMS_DATABASE_URL": url, **secrets,
                           "BULKSMS_SERVICE__WORKERS": str(workers)})  # fmt: skip
    argv = [str(Path(sys.executable).parent / "bulksms"), "serve", "--port", str(port)]
    process = subprocess.Popen(argv, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    stack.wait_http(f"http://127.0.0.1:{port}/health")
    return process


def _apply(url: str, provider: str) -> tuple[float, int]:
    """(seconds, results applied) applying the whole inbox."""
    from config.settings import ResendSettings
    from worker.db.engine import get_engine
    from worker.providers.factory import client_class
    from worker.services.inbox import Intake

    client = client_class(provider)(provider_settings(provider, "http://127.0.0.1:9"))
    intake = Intake(get_engine(url), client, ResendSettings())
    started, applied = time.perf_counter(), 0
    while done := intake.apply_new():
        applied += done["results"]
    return time.perf_counter() - started, applied


def run(
    results: int, clients: int, provider: str = "nhn", workers: int = WORKERS
) -> dict[str, float]:
    """One intake run; its figures."""
    from sqlalchemy import func, select

    from worker.db.engine import get_engine
    from worker.db.models import InboxEvent, Recipient

    port = free_port()
    with fresh_schema() as url:
        batch_id, numbers = _campaign(url, results, provider)
        bodies = CALLS[provider](batch_id, numbers)
        process = _serve(url, port, Path("/tmp") / f"bench-serve-{port}.log", workers)
        try:
            seconds, ok = _post_all(f"http://127.0.0.1:{port}", provider, bodies, clients)
        finally:
            process.terminate()
            process.wait(timeout=10)
        applying, applied = _apply(url, provider)
        with get_engine(url).connect() as conn:
            stored = conn.execute(select(func.count()).select_from(InboxEvent)).scalar_one()
            final = conn.execute(
                select(func.count()).where(Recipient.status == "delivered")
            ).scalar_one()
        get_engine(url).dispose()
    return {
        "provider": provider, "workers": workers,
        "results": results, "calls": len(bodies), "answered": ok, "stored": stored,
        "accepted_per_s": results * ok / len(bodies) / seconds,
        "applied_per_s": applied / applying if applying else 0.0,
        "lost": results - final,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=16, help="keep-alive connections")
    parser.add_argument("--provider", choices=sorted(CALLS), default="nhn")
    parser.add_argument("--workers", type=int, default=WORKERS, help="uvicorn processes")
    args = parser.parse_args()
    print(json.dumps(run(args.results, args.clients, args.provider, args.workers), indent=2))


if __name__ == "__main__":
    main()
