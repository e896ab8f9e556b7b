"""A real stack for the limiter's done-when tests: simulator, 4 send processes, beat, Redis 14.

Like tests/integration/conftest.py, through scripts/stack.py, but with its own limits:
one Celery node with 4 pool processes on send.sens only, one process for plan and poll.
"""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis
import requests

from config import providers
from config.names import QUEUE_PLAN, QUEUE_POLL
from scripts import stack
from tests.conftest import fresh_schema
from tests.envvars import settings_env
from tests.integration.conftest import free_port
from tests.ratelimit.conftest import limiter_redis_url

SEND_PROCESSES = 4


@dataclass
class LimitedStack:
    """How to reach the simulator and Redis, and where the process logs are."""

    sim_url: str
    redis: redis.Redis
    run_dir: Path

    def stats(self) -> dict:
        """The simulator's counters, accepted send times included."""
        return requests.get(f"{self.sim_url}/_sim/stats", timeout=10).json()

    def faults(self, **values: object) -> None:
        """Change the simulator's faults or its own rate limit."""
        requests.post(f"{self.sim_url}/_sim/faults", json=values, timeout=5).raise_for_status()

    def logs(self) -> str:
        """The tail of every process log, for failure messages."""
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.run_dir.glob("*.log"))


def _env(
    pg_url: str, sim_url: str, limits: Mapping[str, object], poll_after: float
) -> dict[str, str]:
    return {
        **{f"BULKSMS_SENS__LIMITS__{k.upper()}": str(v) for k, v in limits.items()},
        "BULKSMS_DATABASE_URL": pg_url,
        "BULKSMS_BROKER_URL": limiter_redis_url(),
        "BULKSMS_REDIS_URL": limiter_redis_url(),
        **providers.simulator_env(providers.SENS, port=_port(sim_url)),
        "BULKSMS_POLL__FIRST_DELAY_SECONDS": str(poll_after),
        "BULKSMS_POLL__BACKOFF_SECONDS": "[1, 1, 2]",
        "BULKSMS_POLL__BEAT_INTERVAL_SECONDS": "1",
        "BULKSMS_SEND__RELEASE_INTERVAL_SECONDS": "1",
        "BULKSMS_SEND__RETRY_BACKOFF_SECONDS": "[1, 2]",
        # No re-sends of transient results: every recipient is sent exactly once.
        "BULKSMS_RESEND__MAX_ATTEMPTS": "1",
    }


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def _services(sim_port: int, run_dir: Path) -> list[stack.Service]:
    table = stack.services(
        sim_ports={"sens": sim_port},
        concurrency=SEND_PROCESSES,
        beat_schedule=str(run_dir / "celerybeat-schedule"),
        sim_args=["--seed", "42", "--complete-delay", "0.5", "--log-level", "WARNING"],
    )
    worker = table["worker"].argv
    send = stack.Service("send", _node(worker, "send.sens", SEND_PROCESSES, "send"))
    aux = stack.Service("aux", _node(worker, f"{QUEUE_PLAN},{QUEUE_POLL}", 1, "aux"))
    return [table[stack.simulator_name("sens")], send, aux, table["beat"]]


def _node(argv: list[str], queues: str, concurrency: int, name: str) -> list[str]:
    """The stack's worker command on other queues, with its own concurrency and node name."""
    changed = list(argv)
    changed[changed.index("-Q") + 1] = queues
    changed[changed.index("-c") + 1] = str(concurrency)
    changed[changed.index("-n") + 1] = f"{name}-{os.getpid()}@%h"
    changed[changed.index("--loglevel") + 1] = "WARNING"
    return changed


@contextmanager
def limited_stack(
    run_dir: Path, limits: Mapping[str, object], poll_after: float = 1.0
) -> Iterator[LimitedStack]:
    """Start everything with these SENS `limits` on a fresh schema and Redis db 14.

    This process's settings point at the stack too, so the producer enqueues to it.
    Polls start `poll_after` s after a send: a late start keeps their load off a measurement.
    """
    client = redis.Redis.from_url(limiter_redis_url())
    client.flushdb()
    with fresh_schema() as schema_url:
        # Commits need not wait for the disk here: the tests measure the limiter, not fsync.
        pg_url = schema_url.replace("options=", "options=-csynchronous_commit%3Doff%20", 1)
        sim_port = free_port()
        sim_url = f"http://127.0.0.1:{sim_port}"
        values = _env(pg_url, sim_url, limits, poll_after)
        env = stack.stack_env(values)
        processes = []
        try:
            for service in _services(sim_port, run_dir):
                processes.append(stack.start(service, run_dir, env))
            stack.wait_http(f"{sim_url}/_sim/health")
            stack.wait_worker(env)
            with settings_env(values):
                yield LimitedStack(sim_url, client, run_dir)
        finally:
            stack.stop_pids([process.pid for process in processes])
            client.delete(QUEUE_PLAN, QUEUE_POLL, providers.SENS.queue)
