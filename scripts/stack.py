"""Start and stop the local stack (simulators, worker, beat, Flower) as background processes.

`make up` / `make down` and the demo use this; the tests start the same commands with their
own settings. docker-compose.yml runs the same commands, one service each.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import requests
from celery.app.control import Control

from config import providers
from config.celery import create_celery
from config.names import QUEUE_PLAN, QUEUE_POLL
from config.settings import SIMULATORS_ENV, Settings, get_settings
from scripts.flower_login import FLOWER_ENV, FlowerLogin, ensure

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Service:
    """One long-running process of the stack; `env` is added to its environment alone."""

    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)


def services(
    *,
    sim_ports: Mapping[str, int] | None = None,
    flower_port: int = 5555,
    serve_port: int = 8000,
    concurrency: int = 4,
    beat_schedule: str = "var/run/celerybeat-schedule",
    sim_args: Sequence[str] = (),
    flower_login: FlowerLogin | None = None,
) -> dict[str, Service]:
    """The stack's commands, one simulator per provider; each is also a docker-compose service.
    Flower without a login serves its pages but refuses its API."""
    celery = [str(BIN / "celery"), "-A", "worker.tasks.app"]
    queues = ",".join([QUEUE_PLAN, QUEUE_POLL, *(entry.queue for entry in providers.ENTRIES)])
    table = {
        "worker": Service(
            "worker",
            [
                *celery,
                "worker",
                "-Q",
                queues,
                "-c",
                str(concurrency),
                "--loglevel",
                "INFO",
                "-n",
                f"worker-{os.getpid()}@%h",
            ],
        ),
        "beat": Service(
            "beat", [*celery, "beat", "--schedule", beat_schedule, "--loglevel", "INFO"]
        ),
        "flower": Service(
            "flower",
            [*celery, "flower", "--address=127.0.0.1", f"--port={flower_port}"],
            flower_login.flower_env() if flower_login else {},
        ),
        # The HTTP service: provider webhooks into the inbox (worker/http).
        "serve": Service(
            "serve",
            [str(BIN / "bulksms"), "serve", "--host", "127.0.0.1", "--port", str(serve_port)],
        ),
    }
    for entry in providers.ENTRIES:
        port = (sim_ports or {}).get(entry.name, entry.simulator.port)
        extra = [*sim_args, *webhook_args(entry, f"http://127.0.0.1:{serve_port}")]
        table[simulator_name(entry.name)] = _simulator(entry.name, port, extra)
    return table


def webhook_args(entry: providers.Provider, service_url: str) -> list[str]:
    """A provider that reports by webhook only posts to the HTTP service at `service_url`,
    with the simulator's webhook secret in the URL (its calls carry no header of ours)."""
    if not providers.pushes_only(entry):
        return []
    secret = entry.simulator.settings.get("webhook_secret", "")
    return ["--webhook-url", f"{service_url}/webhooks/{entry.name}?secret={secret}"]


def simulator_name(provider: str) -> str:
    """The service name of a provider's simulator."""
    return f"simulator-{provider}"


def _simulator(provider: str, port: int, extra: Sequence[str]) -> Service:
    argv = [str(BIN / "bulksms-simulator"), provider, "--host", "127.0.0.1", "--port", str(port)]
    return Service(simulator_name(provider), [*argv, *extra])


def simulators_env(sim_ports: Mapping[str, int] | None = None) -> dict[str, str]:
    """Every provider's BULKSMS_* variables pointing at its local simulator."""
    env: dict[str, str] = {}
    for entry in providers.ENTRIES:
        env.update(providers.simulator_env(entry, port=(sim_ports or {}).get(entry.name)))
    return env


def stack_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for stack processes: this one's, plus `extra`."""
    return {**os.environ, **(extra or {})}


def start(service: Service, run_dir: Path, env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    """Start one service in the background; its output goes to run_dir/<name>.log."""
    run_dir.mkdir(parents=True, exist_ok=True)
    log = (run_dir / f"{service.name}.log").open("ab")
    process = subprocess.Popen(
        service.argv,
        cwd=ROOT,
        env={**env, **service.env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    (run_dir / f"{service.name}.pid").write_text(str(process.pid))
    return process


def stop_pid(pid: int, timeout: float = 15.0) -> None:
    """SIGTERM the process group, wait, then SIGKILL what is left."""
    stop_pids([pid], timeout)


def stop_pids(pids: Sequence[int], timeout: float = 15.0) -> None:
    """SIGTERM every process group at once, wait for all, then SIGKILL what is left: a stack
    stops in the time of its slowest process, not the sum of them."""
    live = [pid for pid in pids if _signal(pid, signal.SIGTERM)]
    deadline = time.monotonic() + timeout
    while live and time.monotonic() < deadline:
        live = [pid for pid in live if not _gone(pid)]
        if live:
            time.sleep(0.1)
    for pid in live:
        _signal(pid, signal.SIGKILL)


def _signal(pid: int, signum: int) -> bool:
    """Signal a process group; False if it is gone already."""
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        return False
    return True


def _gone(pid: int) -> bool:
    """True once the process has exited (reaped here if it is our child, else by its parent)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return True
    except ChildProcessError:
        pass  # not our child: its own parent reaps it
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return True
    return False


def wait_http(url: str, timeout: float = 30.0) -> None:
    """Wait until `url` answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def wait_worker(env: Mapping[str, str], timeout: float = 60.0) -> None:
    """Wait until a worker answers a ping over the broker."""
    control = _control(env)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if control.ping(timeout=1):
            return
        time.sleep(0.5)
    raise TimeoutError(f"no worker answered within {timeout:.0f} s")


def _control(env: Mapping[str, str]) -> Control:
    """The app's remote control on the stack's broker, in this process: a `celery` command
    costs seconds of imports per call."""
    broker_url = env.get("BULKSMS_BROKER_URL") or get_settings().broker_url
    return create_celery(Settings(_env_file=None, broker_url=broker_url)).control


def wait_simulators(names: Sequence[str], sim_ports: Mapping[str, int] | None = None) -> None:
    """Wait until the named services' simulators answer their health check."""
    for entry in providers.ENTRIES:
        if simulator_name(entry.name) in names:
            port = (sim_ports or {}).get(entry.name, entry.simulator.port)
            wait_http(f"http://127.0.0.1:{port}/_sim/health")


def write_simulators_env(path: Path) -> None:
    """The simulators' endpoints and keys, read by Settings (after .env and the environment)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{key}={value}" for key, value in simulators_env().items()]
    path.write_text("# written by `make up`: the local simulators\n" + "\n".join(lines) + "\n")


def enable_events(env: Mapping[str, str]) -> None:
    """Ask the workers to send task events now (Flower asks every 5 s while it runs; workers
    send none otherwise), so that Flower sees every task from the first."""
    # Every worker gets the broadcast; the first reply shows it is being heard.
    if not _control(env).enable_events(reply=True, timeout=5, limit=1):
        raise TimeoutError("no worker acknowledged enable_events")


def up(run_dir: Path, names: Sequence[str], flower_port: int = 5555) -> FlowerLogin:
    """Start the named services and wait until they answer; Flower's login."""
    write_simulators_env(ROOT / SIMULATORS_ENV)
    login = ensure(ROOT / FLOWER_ENV, get_settings().flower)
    env = stack_env(simulators_env())
    schedule = str(run_dir / "celerybeat-schedule")
    table = services(flower_port=flower_port, beat_schedule=schedule, flower_login=login)
    for name in names:
        start(table[name], run_dir, env)
    wait_simulators(names)
    if "worker" in names:
        wait_worker(env)
    if "flower" in names:
        wait_http(f"http://127.0.0.1:{flower_port}/healthcheck")
        enable_events(env)
    if "serve" in names:
        wait_http("http://127.0.0.1:8000/health")
    return login


def down(run_dir: Path) -> None:
    """Stop every service whose pid file is in run_dir."""
    for pid_file in sorted(run_dir.glob("*.pid")):
        stop_pid(int(pid_file.read_text()))
        pid_file.unlink()
        print(f"stopped {pid_file.stem}")


DEFAULT_SERVICES = ",".join(
    [
        *(simulator_name(entry.name) for entry in providers.ENTRIES),
        "worker",
        "beat",
        "flower",
        "serve",
    ]
)


def main() -> None:
    """`python -m scripts.stack up|down`."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["up", "down"])
    parser.add_argument("--run-dir", default="var/run")
    parser.add_argument("--services", default=DEFAULT_SERVICES)
    args = parser.parse_args()
    run_dir = ROOT / args.run_dir
    if args.action == "up":
        login = up(run_dir, args.services.split(","))
        print(f"stack is up; logs and pids in {run_dir}; Flower at http://127.0.0.1:5555")
        print(f"Flower login: user {login.user!r}, password {login.where()}")
        print(f"the simulators' endpoints and keys are in {SIMULATORS_ENV} (read by bulksms)")
    else:
        down(run_dir)


if __name__ == "__main__":
    main()
