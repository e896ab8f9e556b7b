"""Start and stop the local stack (simulator, worker, beat, Flower) as background processes.

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
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Service:
    """One long-running process of the stack."""

    name: str
    argv: list[str]


def services(
    *,
    sim_port: int = 8090,
    flower_port: int = 5555,
    concurrency: int = 4,
    beat_schedule: str = "var/run/celerybeat-schedule",
    sim_args: Sequence[str] = (),
) -> dict[str, Service]:
    """The stack's commands; every one is also a docker-compose service."""
    celery = [str(BIN / "celery"), "-A", "worker.tasks.app"]
    return {
        "simulator": Service(
            "simulator",
            [
                str(BIN / "bulksms-simulator"),
                "sens",
                "--host",
                "127.0.0.1",
                "--port",
                str(sim_port),
                *sim_args,
            ],
        ),
        "worker": Service(
            "worker",
            [
                *celery,
                "worker",
                "-Q",
                "plan,poll,send.sens",
                "-c",
                str(concurrency),
                "-E",
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
            "flower", [*celery, "flower", "--address=127.0.0.1", f"--port={flower_port}"]
        ),
    }


def stack_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for stack processes: Flower's API open on localhost, plus `extra`."""
    env = dict(os.environ)
    # Flower 2 serves /api only with auth or this flag; it listens on 127.0.0.1 only.
    env.setdefault("FLOWER_UNAUTHENTICATED_API", "true")
    env.update(extra or {})
    return env


def start(service: Service, run_dir: Path, env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    """Start one service in the background; its output goes to run_dir/<name>.log."""
    run_dir.mkdir(parents=True, exist_ok=True)
    log = (run_dir / f"{service.name}.log").open("ab")
    process = subprocess.Popen(
        service.argv,
        cwd=ROOT,
        env=dict(env),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    (run_dir / f"{service.name}.pid").write_text(str(process.pid))
    return process


def stop_pid(pid: int, timeout: float = 15.0) -> None:
    """SIGTERM the process group, wait, then SIGKILL what is left."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _gone(pid):
            return
        time.sleep(0.1)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return


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
    probe = [str(BIN / "celery"), "-A", "worker.tasks.app", "inspect", "ping", "--timeout", "1"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = subprocess.run(probe, cwd=ROOT, env=dict(env), capture_output=True)
        if done.returncode == 0 and b"pong" in done.stdout:
            return
        time.sleep(0.5)
    raise TimeoutError(f"no worker answered within {timeout:.0f} s")


def up(run_dir: Path, names: Sequence[str], sim_port: int = 8090, flower_port: int = 5555) -> None:
    """Start the named services and wait until they answer."""
    env = stack_env()
    table = services(
        sim_port=sim_port,
        flower_port=flower_port,
        beat_schedule=str(run_dir / "celerybeat-schedule"),
    )
    for name in names:
        start(table[name], run_dir, env)
    if "simulator" in names:
        wait_http(f"http://127.0.0.1:{sim_port}/_sim/health")
    if "worker" in names:
        wait_worker(env)
    if "flower" in names:
        wait_http(f"http://127.0.0.1:{flower_port}/healthcheck")


def down(run_dir: Path) -> None:
    """Stop every service whose pid file is in run_dir."""
    for pid_file in sorted(run_dir.glob("*.pid")):
        stop_pid(int(pid_file.read_text()))
        pid_file.unlink()
        print(f"stopped {pid_file.stem}")


def main() -> None:
    """`python -m scripts.stack up|down`."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["up", "down"])
    parser.add_argument("--run-dir", default="var/run")
    parser.add_argument("--services", default="simulator,worker,beat,flower")
    args = parser.parse_args()
    run_dir = ROOT / args.run_dir
    if args.action == "up":
        up(run_dir, args.services.split(","))
        print(f"stack is up; logs and pids in {run_dir}; Flower at http://127.0.0.1:5555")
    else:
        down(run_dir)


if __name__ == "__main__":
    main()
