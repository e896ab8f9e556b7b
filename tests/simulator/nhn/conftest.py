"""Fixtures: an NHN simulator on a free port in a thread, a client for it, a webhook receiver."""

import json
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from simulator.config import default_config
from simulator.nhn.faults import NhnFaultSettings
from simulator.server import RunningSimulator, start_in_thread

SEED = 42
COMPLETE_DELAY = 0.2  # messages complete 0.1-0.3 s after their send time
SEOUL = ZoneInfo("Asia/Seoul")
SENDER = "15446859"


class NhnClient:
    """Calls the NHN API with the app key and secret key; reaches /_sim too."""

    def __init__(self, running: RunningSimulator) -> None:
        config = running.app.config
        self.base_url = running.base_url
        self.app_key = config.app_key
        self.secret_key = config.secret_key
        self.http = requests.Session()

    def uri(self, suffix: str, version: str = "v3.0", app_key: str | None = None) -> str:
        return f"/sms/{version}/appKeys/{app_key or self.app_key}{suffix}"

    def call(
        self,
        method: str,
        suffix: str,
        body: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        **uri: Any,
    ) -> requests.Response:
        sent = {"X-Secret-Key": self.secret_key} if headers is None else headers
        return self.http.request(
            method,
            self.base_url + self.uri(suffix, **uri),
            json=body,
            params=params,
            headers=sent,
            timeout=10,
        )

    def send(self, body: Any, path: str = "sms", **uri: Any) -> requests.Response:
        return self.call("POST", f"/sender/{path}", body, **uri)

    def accepted(self, body: Any, path: str = "sms") -> dict[str, Any]:
        answer = self.send(body, path)
        assert answer.status_code == 200, answer.text
        assert answer.json()["header"]["isSuccessful"], answer.text
        return answer.json()["body"]["data"]

    def list(self, path: str = "sms", **params: Any) -> requests.Response:
        return self.call("GET", f"/sender/{path}", params=params)

    def listed(self, request_id: str, path: str = "sms"):
        answer = self.list(path, requestId=request_id, pageSize=1000).json()
        assert answer["header"]["isSuccessful"], answer
        return answer["body"]["data"]

    def control(self, method: str, path: str, body: Any = None) -> requests.Response:
        return self.http.request(method, self.base_url + path, json=body, timeout=10)

    def stats(self) -> dict[str, Any]:
        return self.control("GET", "/_sim/stats").json()

    def faults(self, **changes: Any) -> dict[str, Any]:
        answer = self.control("POST", "/_sim/faults", changes)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def sim_now(self) -> float:
        return time.time() + self.control("GET", "/_sim/clock").json()["offset_seconds"]

    def advance(self, seconds: float) -> None:
        answer = self.control("POST", "/_sim/clock", {"advance_seconds": seconds})
        assert answer.status_code == 200, answer.text

    def advance_to(self, moment: float) -> None:
        self.advance(max(0.0, moment - self.sim_now()))


def make_body(*numbers: str, body: str = "hello", **extra: Any) -> dict[str, Any]:
    """A send body with one recipientList entry per number."""
    sent: dict[str, Any] = {"body": body, "sendNo": SENDER}
    sent["recipientList"] = [{"recipientNo": number} for number in numbers]
    sent.update(extra)
    return sent


def kst(moment: float, pattern: str = "%Y-%m-%d %H:%M:%S") -> str:
    return datetime.fromtimestamp(moment, SEOUL).strftime(pattern)


def epoch(text: str, pattern: str = "%Y-%m-%d %H:%M") -> float:
    return datetime.strptime(text, pattern).replace(tzinfo=SEOUL).timestamp()


def result_code(answer: requests.Response) -> int:
    return answer.json()["header"]["resultCode"]


@pytest.fixture(scope="session")
def nhn_simulator():
    config = default_config(
        "nhn",
        port=0,
        faults=NhnFaultSettings(seed=SEED, complete_delay=COMPLETE_DELAY),
        webhook_retries=3,
        webhook_backoff_seconds=0.02,
    )
    running = start_in_thread(config)
    yield running
    running.stop()


@pytest.fixture
def nhn(nhn_simulator: RunningSimulator) -> NhnClient:
    client = NhnClient(nhn_simulator)
    client.faults(**NhnFaultSettings(seed=SEED, complete_delay=COMPLETE_DELAY).to_dict())
    assert client.control("POST", "/_sim/reset").json() == {"ok": True}
    return client


@pytest.fixture
def body():
    """Builds a send body: body("010...", "010...", body=..., **extra)."""
    return make_body


class Receiver:
    """A tiny local HTTP server that keeps every POST it gets; answers from `statuses`."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.statuses: list[int] = []  # answered in turn; 200 once used up
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length))
                with receiver._lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.calls.append(
                        {"headers": dict(self.headers), "json": payload, "status": status}
                    )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def answered(self, status: int = 200) -> list[dict[str, Any]]:
        with self._lock:
            return [c for c in self.calls if c["status"] == status]

    def wait_for(self, condition, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if condition(self.calls):
                    return
            time.sleep(0.02)
        raise AssertionError(f"receiver never saw the expected calls; got {self.calls}")

    def hooks(self, event: str = "MESSAGE_RESULT_UPDATE") -> list[dict[str, Any]]:
        return [
            h for c in self.answered() if c["json"]["event"] == event for h in c["json"]["hooks"]
        ]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.stop()
