"""Memory of a simulator process at a million accepted messages: `python -m simulator.footprint`.

Starts `python -m simulator <provider>` as its own process, sends it REQUESTS x RECIPIENTS
messages over HTTP (each to a different number: the worst case for the per-number tallies)
and prints the process's resident memory (VmRSS) and its peak (VmHWM) from /proc (Linux),
before and after one GET /_sim/stats.
"""

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

from worker.domain.signing import signature_v2

SENS_SHAPE = (10_000, 100)  # requests, messages per request
NHN_SHAPE = (1_000, 1_000)
SERVICE = "ncp:sms:kr:000000000000:bulksms"


def _memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of `pid` in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) / 1024
    return found


def _numbers(start: int, count: int) -> list[str]:
    return [f"010{n:08d}" for n in range(start, start + count)]


def _sens_call(base: str, index: int, size: int) -> Callable[[requests.Session], int]:
    uri = f"/sms/v2/services/{SERVICE}/messages"
    body = {"type": "SMS", "from": "0212345678", "content": "안녕하세요, 봄 세일 안내입니다."}
    body["messages"] = [{"to": n} for n in _numbers(index * size, size)]

    def call(session: requests.Session) -> int:
        stamp = str(int(time.time() * 1000))
        headers = {
            "x-ncp-apigw-timestamp": stamp,
            "x-ncp-iam-access-key": "sim-access-key",
            "x-ncp-apigw-signature-v2": signature_v2(
                "POST", uri, stamp, "sim-access-key", "sim-secret-key"
            ),
        }
        return session.post(base + uri, json=body, headers=headers, timeout=60).status_code

    return call


def _nhn_call(base: str, index: int, size: int) -> Callable[[requests.Session], int]:
    uri = "/sms/v3.0/appKeys/sim-app-key/sender/sms"
    body: dict[str, Any] = {"body": "안녕하세요, 봄 세일 안내입니다.", "sendNo": "15446859"}
    body["recipientList"] = [{"recipientNo": n} for n in _numbers(index * size, size)]

    def call(session: requests.Session) -> int:
        headers = {"X-Secret-Key": "sim-secret-key"}
        return session.post(base + uri, json=body, headers=headers, timeout=60).status_code

    return call


def _start(provider: str) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "simulator", provider, "--port", "0"]
    command += ["--log-level", "WARNING", "--complete-delay", "5"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, process.stdout.readline().strip().rsplit(" ", 1)[1]


def _load(calls: Iterator[Callable[[requests.Session], int]], workers: int) -> None:
    sessions = [requests.Session() for _ in range(workers)]

    def run(pair: tuple[int, Callable[[requests.Session], int]]) -> int:
        return pair[1](sessions[pair[0] % workers])

    with ThreadPoolExecutor(workers) as pool:
        statuses = set(pool.map(run, enumerate(calls)))
    assert statuses <= {200, 202}, statuses


def measure(provider: str, shape: tuple[int, int], workers: int = 4) -> dict[str, Any]:
    """Start the simulator, send `shape` (requests, messages each), report memory and time."""
    process, base = _start(provider)
    try:
        idle = _memory(process.pid)
        build = _nhn_call if provider == "nhn" else _sens_call
        started = time.monotonic()
        _load((build(base, i, shape[1]) for i in range(shape[0])), workers)
        elapsed = time.monotonic() - started
        loaded = _memory(process.pid)
        stats = requests.get(f"{base}/_sim/stats", timeout=120).json()
        return {
            "provider": provider,
            "messages": stats["messages_accepted"],
            "seconds": round(elapsed, 1),
            "idle_rss_mb": round(idle["VmRSS"], 1),
            "loaded_rss_mb": round(loaded["VmRSS"], 1),
            "loaded_peak_rss_mb": round(loaded["VmHWM"], 1),
            "after_stats_rss_mb": round(_memory(process.pid)["VmRSS"], 1),
            "peak_rss_mb": round(_memory(process.pid)["VmHWM"], 1),
        }
    finally:
        process.terminate()
        process.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    """Measure each provider named on the command line (default: both)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("providers", nargs="*", default=["sens", "nhn"])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the full load")
    args = parser.parse_args(argv)
    for provider in args.providers:
        requests_, size = NHN_SHAPE if provider == "nhn" else SENS_SHAPE
        print(json.dumps(measure(provider, (max(1, int(requests_ * args.scale)), size))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
