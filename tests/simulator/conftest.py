"""Fixtures: a SENS simulator on a free port in a thread, and a signing client for it."""

import time
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from simulator.config import default_config
from simulator.sens.faults import FaultSettings
from simulator.server import RunningSimulator, start_in_thread
from worker.domain.signing import signature_v2

COMPLETE_DELAY = 0.2  # messages complete 0.1-0.3 s after acceptance
SEED = 42


class SensClient:
    """Signs and sends SENS API calls; also reaches the /_sim control endpoints."""

    def __init__(self, running: RunningSimulator) -> None:
        config = running.app.config
        self.base_url = running.base_url
        self.service_id = config.service_id
        self.access_key = config.access_key
        self.secret_key = config.secret_key
        self.http = requests.Session()

    def uri(self, suffix: str, service_id: str | None = None) -> str:
        return f"/sms/v2/services/{service_id or self.service_id}{suffix}"

    def signed_headers(self, method: str, uri: str, offset_ms: int = 0) -> dict[str, str]:
        timestamp = str(int(time.time() * 1000) + offset_ms)
        signature = signature_v2(method, uri, timestamp, self.access_key, self.secret_key)
        return {
            "x-ncp-apigw-timestamp": timestamp,
            "x-ncp-iam-access-key": self.access_key,
            "x-ncp-apigw-signature-v2": signature,
        }

    def raw(
        self, method: str, uri: str, headers: dict[str, str], body: Any = None, data: Any = None
    ) -> requests.Response:
        return self.http.request(
            method, self.base_url + uri, headers=headers, json=body, data=data, timeout=10
        )

    def call(self, method: str, uri: str, body: Any = None, data: Any = None) -> requests.Response:
        return self.raw(method, uri, self.signed_headers(method, uri), body, data)

    def send(self, body: Any) -> requests.Response:
        return self.call("POST", self.uri("/messages"), body)

    def list(self, **params: Any) -> requests.Response:
        query = f"?{urlencode(params)}" if params else ""
        return self.call("GET", self.uri("/messages") + query)

    def get(self, message_id: str) -> requests.Response:
        return self.call("GET", self.uri(f"/messages/{message_id}"))

    def control(self, method: str, path: str, body: Any = None) -> requests.Response:
        return self.http.request(method, self.base_url + path, json=body, timeout=10)

    def stats(self) -> dict[str, Any]:
        return self.control("GET", "/_sim/stats").json()

    def faults(self, **changes: Any) -> dict[str, Any]:
        answer = self.control("POST", "/_sim/faults", changes)
        assert answer.status_code == 200, answer.text
        return answer.json()


def make_sms_body(*numbers: str, content: str = "hello", **extra: Any) -> dict[str, Any]:
    body = {"type": "SMS", "from": "0212345678", "content": content}
    body["messages"] = [{"to": number} for number in numbers]
    body.update(extra)
    return body


@pytest.fixture(scope="session")
def running_simulator():
    config = default_config(
        host="127.0.0.1",
        port=0,
        faults=FaultSettings(seed=SEED, complete_delay=COMPLETE_DELAY),
    )
    running = start_in_thread(config)
    yield running
    running.stop()


@pytest.fixture
def sens(running_simulator: RunningSimulator) -> SensClient:
    client = SensClient(running_simulator)
    defaults = FaultSettings(seed=SEED, complete_delay=COMPLETE_DELAY).to_dict()
    client.faults(**defaults)
    assert client.control("POST", "/_sim/reset").json() == {"ok": True}
    return client


@pytest.fixture
def sms_body():
    """Builds an SMS send body: sms_body("010...", "010...", content=..., **extra)."""
    return make_sms_body
