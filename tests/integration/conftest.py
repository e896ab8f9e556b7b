"""The real stack for integration tests: simulators, Celery worker and beat processes, Flower
and the HTTP service (API PLEX's simulator posts its webhooks to it); one stack per broker
(Redis, RabbitMQ)."""

import os
import secrets
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
import requests
from pydantic import SecretStr
from sqlalchemy import Engine, select

from config import providers
from config.celery import create_celery
from config.settings import Settings
from scripts import stack
from scripts.flower_login import FlowerLogin
from tests.conftest import fresh_schema
from tests.envvars import settings_env
from worker.db.engine import get_engine
from worker.db.models import InboxEvent

SEED = 42
COMPLETE_DELAY = 0.5
# The stack fixture of each broker.
STACKS = {"redis": "running_stack", "rabbitmq": "rabbitmq_stack"}
# The RabbitMQ stack keeps its limits and locks apart from the Redis stack's (db 15).
RABBITMQ_STACK_REDIS_URL = os.environ.get(
    "BULKSMS_TEST_SECOND_REDIS_URL", "redis://127.0.0.1:6379/11"
)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    """Running processes and how to reach them: one simulator per provider."""

    sim_urls: dict[str, str]
    flower_url: str
    env: dict[str, str]
    run_dir: Path
    serve_url: str = ""  # the HTTP service (webhooks)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    flower_auth: tuple[str, str] = ("", "")  # Flower's login, for requests' auth=

    @property
    def sim_url(self) -> str:
        """The SENS simulator (the tests of SENS-only behaviour use it)."""
        return self.sim_urls["sens"]

    def sim_stats(self, provider: str = "sens") -> dict:
        """A simulator's counters."""
        return requests.get(f"{self.sim_urls[provider]}/_sim/stats", timeout=5).json()

    def logs(self) -> str:
        """Every process log, for failure messages, and any process that has exited (how:
        a negative code is the signal that ended it)."""
        logs = [p.read_text(errors="replace")[-4000:] for p in self.run_dir.glob("*.log")]
        ended = [f"exited {p.returncode}: {' '.join(map(str, p.args))}" for p in self.processes
                 if p.poll() is not None]  # fmt: skip
        return "\n".join([*logs, *ended])

    @property
    def engine(self) -> Engine:
        """The engine of the stack's database."""
        return get_engine(self.env["BULKSMS_DATABASE_URL"])

    def inbox_states(self) -> Counter:
        """Webhook inbox events by state."""
        with self.engine.connect() as conn:
            return Counter(conn.execute(select(InboxEvent.state)).scalars())

    def settled_inbox(self, timeout: float = 30) -> Counter:
        """The inbox's states once no event is new. A call that outran its send's answer is
        held (taken again every 5 s), so it may still be new when the campaign completes
        from a duplicate of it."""
        assert wait_until(lambda: "new" not in self.inbox_states(), timeout), self.inbox_states()
        return self.inbox_states()

    def settings(self) -> AbstractContextManager[None]:
        """This process's settings pointed at the stack (its broker, database, simulators)."""
        return settings_env({k: v for k, v in self.env.items() if k.startswith("BULKSMS_")})


def _fast_settings(sim_ports: dict[str, int]) -> dict[str, str]:
    """Every provider at its simulator; seconds instead of minutes, so a test sees polls and
    retries happen."""
    return {
        **stack.simulators_env(sim_ports),
        "BULKSMS_POLL__FIRST_DELAY_SECONDS": "1",
        "BULKSMS_POLL__BACKOFF_SECONDS": "[1, 1, 2]",
        "BULKSMS_POLL__BEAT_INTERVAL_SECONDS": "1",
        "BULKSMS_SEND__RELEASE_INTERVAL_SECONDS": "1",
        "BULKSMS_SEND__RETRY_BACKOFF_SECONDS": "[1, 2]",
        "BULKSMS_RESEND__BACKOFF_SECONDS": "[2]",
        "BULKSMS_RESEND__BEAT_INTERVAL_SECONDS": "1",
        # A result deadline of about 22 s, so a message that never completes is expired
        # while the test watches. Not shorter: a loaded machine has taken 11 s to apply a
        # webhook's results, which expired the batch first and ended its transient failures
        # without their re-send.
        "BULKSMS_POLL__RESULT_DEADLINE_HOURS": "0.006",
    }


@pytest.fixture(scope="session")
def running_stack(
    app_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The stack on Redis, as `make up` starts it; this process's settings point at it."""
    with start_stack(app_env, tmp_path_factory.mktemp("stack")) as result, result.settings():
        yield result


@pytest.fixture(scope="module")
def rabbitmq_stack(rabbitmq_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The same stack with this run's RabbitMQ virtual host as its broker, and a schema and
    Redis database of its own: its beat never sees the Redis stack's campaigns."""
    redis.Redis.from_url(RABBITMQ_STACK_REDIS_URL).flushdb()
    with fresh_schema() as database_url:
        values = {
            "BULKSMS_DATABASE_URL": database_url,
            "BULKSMS_BROKER_URL": rabbitmq_url,
            "BULKSMS_REDIS_URL": RABBITMQ_STACK_REDIS_URL,
            # The SENS limiter re-queues every send it would hold back (with a countdown)
            # instead of waiting: a SENS campaign past the burst goes through RabbitMQ's
            # delayed re-deliveries too (measured: 40 to 50 re-queues for its 30 batches).
            "BULKSMS_SENS__LIMITS__MAX_WAIT_SECONDS": "0.05",
        }
        with start_stack(values, tmp_path_factory.mktemp("stack-rabbitmq")) as result:
            yield result


@contextmanager
def start_stack(
    app_env: dict[str, str], run_dir: Path, overrides: dict[str, str] | None = None
) -> Iterator[Stack]:
    """Simulators, a worker of two processes, beat and Flower, all as `make up` starts them;
    `overrides` win over the simulators' keys and the fast timings."""
    sim_ports = {entry.name: free_port() for entry in providers.ENTRIES}
    flower_port, serve_port = free_port(), free_port()
    env = stack.stack_env({**app_env, **_fast_settings(sim_ports), **(overrides or {})})
    login = FlowerLogin("bulksms-test", SecretStr(secrets.token_urlsafe(16)))
    table = stack.services(
        sim_ports=sim_ports,
        flower_port=flower_port,
        serve_port=serve_port,
        concurrency=2,
        beat_schedule=str(run_dir / "celerybeat-schedule"),
        flower_login=login,
        sim_args=[
            "--seed",
            str(SEED),
            "--complete-delay",
            str(COMPLETE_DELAY),
            "--recover-after",
            "1",
        ],
    )
    purge(app_env["BULKSMS_BROKER_URL"])
    sim_urls = {name: f"http://127.0.0.1:{port}" for name, port in sim_ports.items()}
    serve_url = f"http://127.0.0.1:{serve_port}"
    result = Stack(sim_urls, f"http://127.0.0.1:{flower_port}", env, run_dir, serve_url,
                   flower_auth=login.auth())  # fmt: skip
    simulators = [stack.simulator_name(name) for name in sim_ports]
    names = (*simulators, "flower", "worker", "beat", "serve")
    try:
        for name in names:
            result.processes.append(stack.start(table[name], run_dir, env))
        stack.wait_simulators(simulators, sim_ports)
        stack.wait_http(f"{result.flower_url}/healthcheck")
        stack.wait_http(f"{serve_url}/health")
        stack.wait_worker(env)
        stack.enable_events(env)
        # A service that died at once (its port taken meanwhile) may leave another process
        # answering its health check: every one must still be running.
        exited = zip(names, (p.poll() is not None for p in result.processes), strict=True)
        dead = [name for name, gone in exited if gone]
        assert not dead, f"{dead} exited at start:\n{result.logs()}"
        yield result
    finally:
        stack.stop_pids([process.pid for process in result.processes])


@contextmanager
def own_stack(
    run_dir: Path,
    redis_url: str,
    extra: dict[str, str] | None = None,
    overrides: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """A stack with a schema and a Redis database (broker, limits, locks) of its own, whose
    beat never sees another stack's campaigns; this process's settings point at it."""
    redis.Redis.from_url(redis_url).flushdb()
    with fresh_schema() as database_url:
        values = {
            "BULKSMS_DATABASE_URL": database_url,
            "BULKSMS_BROKER_URL": redis_url,
            "BULKSMS_REDIS_URL": redis_url,
            **(extra or {}),
        }
        with start_stack(values, run_dir, overrides) as running, running.settings():
            yield running


def purge(broker_url: str) -> None:
    """Empty every queue of the app on this broker (Redis or RabbitMQ alike)."""
    create_celery(Settings(_env_file=None, broker_url=broker_url)).control.purge()


def wait_until(predicate: object, timeout: float, interval: float = 0.5) -> bool:
    """Poll `predicate()` until it is truthy or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(interval)
    return False
