"""Helpers for the API PLEX simulator tests: a client (the receiver is tests/webhook_receiver)."""

import time
from collections.abc import Callable
from typing import Any

import requests

from simulator.server import RunningSimulator
from tests.webhook_receiver import ACK, Receiver

SEED = 42
COMPLETE_DELAY = 0.2  # messages complete 0.1-0.3 s after acceptance
BACKOFF = 0.01  # retry n waits n × 10 ms: ten retries take 0.55 s
SENDER = "0212345678"


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


__all__ = ["ACK", "ApiplexClient", "Receiver", "send_body"]
