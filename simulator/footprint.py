"""Memory of a simulator process at a million accepted messages: `python -m simulator.footprint`.

Starts `python -m simulator <provider>` as its own process, sends it REQUESTS x RECIPIENTS
messages over HTTP (each to a different number: the worst case for the per-number tallies)
and prints the process's resident memory (VmRSS) and its peak (VmHWM) from /proc (Linux),
before and after one GET /_sim/stats.

`--content personalized` (the default, as the dispatch benchmark sends) gives every message
its own text, as the worker sends them: SENS a `content` per message, NHN a `##key##` body
with a templateParameter and a recipientGroupingKey per recipient. `--content identical`
sends one text to every number.
"""

import argparse
import json
import random
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
CONTENTS = ("personalized", "identical")
SAME_TEXT = "안녕하세요, 봄 세일 안내입니다."
NAMES = ("김민준", "이서연", "박지호", "최유진", "정하은", "강도윤", "조서아", "윤시우")
TEMPLATE = "[봄 세일] {name}님, 쿠폰 {coupon} 으로 20% 할인 (~3/31)"
NHN_TEMPLATE = TEMPLATE.format(name="##이름##", coupon="##쿠폰##")
Call = Callable[[requests.Session], int]


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


def _values(index: int, size: int) -> Iterator[tuple[str, dict[str, str]]]:
    """(number, {이름, 쿠폰}) of request `index`'s recipients: a random name, a serial coupon."""
    pick = random.Random(index)
    for serial, number in enumerate(_numbers(index * size, size), index * size):
        yield number, {"이름": pick.choice(NAMES), "쿠폰": f"C{serial:08d}"}


def sens_body(index: int, size: int, content: str = "personalized") -> dict[str, Any]:
    """The `index`-th SENS send of the load: `size` messages, each to a number of its own."""
    if content == "identical":
        messages = [{"to": n} for n in _numbers(index * size, size)]
    else:
        messages = [
            {"to": n, "content": TEMPLATE.format(name=v["이름"], coupon=v["쿠폰"])}
            for n, v in _values(index, size)
        ]
    # As the worker sends it: the top-level content is the first message's.
    top = messages[0].get("content", SAME_TEXT)
    return {"type": "SMS", "from": "0212345678", "content": top, "messages": messages}


def nhn_body(index: int, size: int, content: str = "personalized") -> dict[str, Any]:
    """The `index`-th NHN send of the load, shaped as the worker sends it (payloads.py)."""
    if content == "identical":
        recipients: list[dict[str, Any]] = [
            {"recipientNo": n} for n in _numbers(index * size, size)
        ]
        return {"body": SAME_TEXT, "sendNo": "15446859", "recipientList": recipients}
    recipients = [
        {"recipientNo": n, "countryCode": "82", "recipientGroupingKey": n, "templateParameter": v}
        for n, v in _values(index, size)
    ]
    return {"body": NHN_TEMPLATE, "sendNo": "15446859", "recipientList": recipients}


def _sens_post(session: requests.Session, base: str, body: dict[str, Any]) -> int:
    uri = f"/sms/v2/services/{SERVICE}/messages"
    stamp = str(int(time.time() * 1000))
    headers = {
        "x-ncp-apigw-timestamp": stamp,
        "x-ncp-iam-access-key": "sim-access-key",
        "x-ncp-apigw-signature-v2": signature_v2(
            "POST", uri, stamp, "sim-access-key", "sim-secret-key"
        ),
    }
    return session.post(base + uri, json=body, headers=headers, timeout=60).status_code


def _nhn_post(session: requests.Session, base: str, body: dict[str, Any]) -> int:
    uri = "/sms/v3.0/appKeys/sim-app-key/sender/sms"
    headers = {"X-Secret-Key": "sim-secret-key"}
    return session.post(base + uri, json=body, headers=headers, timeout=60).status_code


def _call(provider: str, base: str, index: int, size: int, content: str) -> Call:
    """A send of request `index`; its body is built when it goes, so few exist at a time."""
    post, build = (_nhn_post, nhn_body) if provider == "nhn" else (_sens_post, sens_body)
    return lambda session: post(session, base, build(index, size, content))


def _start(provider: str) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "simulator", provider, "--port", "0"]
    command += ["--log-level", "WARNING", "--complete-delay", "5"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, process.stdout.readline().strip().rsplit(" ", 1)[1]


def _load(calls: Iterator[Call], workers: int) -> None:
    sessions = [requests.Session() for _ in range(workers)]

    def run(pair: tuple[int, Call]) -> int:
        return pair[1](sessions[pair[0] % workers])

    with ThreadPoolExecutor(workers) as pool:
        statuses = set(pool.map(run, enumerate(calls)))
    assert statuses <= {200, 202}, statuses


def measure(
    provider: str, shape: tuple[int, int], content: str = "personalized", workers: int = 4
) -> dict[str, Any]:
    """Start the simulator, send `shape` (requests, messages each), report memory and time."""
    process, base = _start(provider)
    try:
        idle = _memory(process.pid)
        started = time.monotonic()
        _load((_call(provider, base, i, shape[1], content) for i in range(shape[0])), workers)
        elapsed = time.monotonic() - started
        loaded = _memory(process.pid)
        stats = requests.get(f"{base}/_sim/stats", timeout=120).json()
        return {
            "provider": provider,
            "content": content,
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
    parser.add_argument(
        "--content", choices=CONTENTS, default=CONTENTS[0], help="a text per message, or one"
    )
    args = parser.parse_args(argv)
    for provider in args.providers:
        requests_, size = NHN_SHAPE if provider == "nhn" else SENS_SHAPE
        shape = (max(1, int(requests_ * args.scale)), size)
        print(json.dumps(measure(provider, shape, args.content)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
