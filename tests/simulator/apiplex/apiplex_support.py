"""Helpers for the API PLEX simulator tests: a client and a local webhook receiver."""

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from simulator.server import RunningSimulator

SEED = 42
COMPLETE_DELAY = 0.2  # messages complete 0.1-0.3 s after acceptance
BACKOFF = 0.01  # retry n waits n × 10 ms: ten retries take 0.55 s
SENDER = "0212345678"
ACK = (200, b'{"code": "0"}')  # what a receiver answers to take a record


def send_body(*numbers: str, text: str = "hello", **extra: Any) -> dict[str, Any]:
    """A send body with one destination per number."""
    body: dict[str, Any] = {"from": SENDER, "text": text}
    body["destinations"] = [{"to": number} for number in numbers]
    body.update(extra)
    return body


class ApiplexClient:
    """Calls POST /{route}/v2/send with the simulator's key; reaches /_sim too."""

    def __init__(self, running: RunningSimulator) -> None:
        self.base_url = running.base_url
        self.api_key = running.app.config.api_key
        self.http = requests.Session()

    def send(
        self, body: Any, route: str = "gms-kg", headers: dict[str, str] | None = None
    ) -> requests.Response:
        sent = {"Authorization": self.api_key} if headers is None else headers
        url = f"{self.base_url}/{route}/v2/send"
        return self.http.post(url, json=body, headers=sent, timeout=10)

    def accepted(self, body: Any, route: str = "gms-kg") -> dict[str, Any]:
        answer = self.send(body, route)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def control(self, method: str, path: str, body: Any = None) -> requests.Response:
        return self.http.request(method, self.base_url + path, json=body, timeout=10)

    def stats(self) -> dict[str, Any]:
        return self.control("GET", "/_sim/stats").json()

    def faults(self, **changes: Any) -> dict[str, Any]:
        answer = self.control("POST", "/_sim/faults", changes)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def webhook(self, url: str | None) -> None:
        answer = self.control("POST", "/_sim/webhook", {"url": url})
        assert answer.json() == {"url": url}, answer.text

    def wait_stats(self, condition: Callable[[dict[str, Any]], bool], timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            stats = self.stats()
            if condition(stats):
                return stats
            time.sleep(0.02)
        raise AssertionError(f"stats never matched; last {stats}")


class Receiver:
    """A local HTTP server keeping every POST; answers from `answers`, then ACK."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.answers: list[tuple[int, bytes]] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/results"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def _take(self, headers: dict[str, str], payload: Any) -> tuple[int, bytes]:
        with self._lock:
            status, body = self.answers.pop(0) if self.answers else ACK
            call = {"headers": headers, "json": payload, "status": status, "at": time.time()}
            self.calls.append(call)
        return status, body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length))
                status, body = receiver._take(dict(self.headers), payload)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def records(self) -> list[dict[str, Any]]:
        """Every record received, in arrival order (each call holds exactly one)."""
        with self._lock:
            return [record for call in self.calls for record in call["json"]["results"]]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The records once at least `count` calls arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.calls) >= count:
                    break
            time.sleep(0.02)
        else:
            raise AssertionError(f"expected {count} calls; got {self.calls}")
        return self.records()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
