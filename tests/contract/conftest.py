"""Each provider of the registry with its simulator: the contract suite runs once per provider,
as dramatiq runs one suite over every broker."""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from config import providers
from scripts.simulated import provider_settings
from simulator.config import SimConfig
from simulator.core.faults import FaultSettings
from simulator.server import RunningSimulator, start_in_thread
from tests.webhook_receiver import Receiver
from worker.providers.base import ProviderClient, SentRequest
from worker.providers.factory import client_class

SEED = 11
COMPLETE_DELAY = 0.1


@dataclass
class Provider:
    """One provider under contract: its entry, its simulator and a client factory."""

    entry: providers.Provider
    simulator: RunningSimulator

    @property
    def name(self) -> str:
        return self.entry.name

    def client(self, **changes: Any) -> ProviderClient:
        """Our real client for this provider, pointed at its simulator (settings changed)."""
        base_url = changes.pop("base_url", self.simulator.base_url)
        settings = provider_settings(self.name, base_url, **{"read_timeout": 5, **changes})
        return client_class(self.name)(settings)  # type: ignore[call-arg]

    def control(self, method: str, path: str, body: Any = None) -> Any:
        answer = requests.request(method, f"{self.simulator.base_url}{path}", json=body, timeout=5)
        answer.raise_for_status()
        return answer.json()

    def faults(self, **values: Any) -> None:
        self.control("POST", "/_sim/faults", values)

    def stats(self) -> dict[str, Any]:
        return self.control("GET", "/_sim/stats")

    def advance(self, seconds: float) -> None:
        self.control("POST", "/_sim/clock", {"advance_seconds": seconds})

    @property
    def abroad(self) -> bool:
        """It sends to other countries only (API PLEX): the suite's numbers are British."""
        return not self.entry.capabilities.domestic

    @property
    def polled(self) -> bool:
        """Its results are read by query; else they come by webhook (to `receiver`)."""
        can = self.entry.capabilities
        return can.polling or can.sweep

    def numbers(self, count: int, start: int = 0) -> list[str]:
        """Distinct mobile numbers this provider takes, as we store them."""
        if self.abroad:
            return [f"+447911{start + i:06d}" for i in range(count)]
        return [f"0107{start + i:07d}" for i in range(count)]

    def results(self, client: ProviderClient, request_id: str, kind: str, batch_id: int) -> list:
        """Every result reported so far for one request: asked for, or pushed to us."""
        if self.polled:
            return list(client.results_for_request(SentRequest(request_id, kind)))
        assert self.receiver is not None
        records = [{"results": [record]} for record in self.receiver.records()]
        found = [r for body in records for r in client.webhook_results(body)]
        return [r for r in found if r.batch_id == batch_id]

    def wrong_keys(self) -> dict[str, str]:
        """Its secret key (or API key) set to a wrong value."""
        name = "secret_key" if "secret_key" in self.entry.simulator.settings else "api_key"
        return {name: "not-the-secret"}

    @property
    def looks_up(self) -> bool:
        """It can be asked whether it holds a request (find_sent); API PLEX cannot."""
        return self.polled

    receiver: Receiver | None = None


@pytest.fixture(scope="session", params=providers.provider_names())
def running(request: pytest.FixtureRequest) -> Iterator[Provider]:
    entry = providers.get(request.param)
    config = SimConfig(
        provider=entry.name,
        port=0,
        faults=FaultSettings(seed=SEED, complete_delay=COMPLETE_DELAY),
    )
    with start_in_thread(config) as simulator:
        provider = Provider(entry, simulator)
        if not provider.polled:
            provider.receiver = Receiver()
        yield provider
        if provider.receiver is not None:
            provider.receiver.stop()


@pytest.fixture()
def provider(running: Provider) -> Provider:
    """The provider with its simulator reset to no faults and an empty store."""
    running.faults(**FaultSettings(seed=SEED, complete_delay=COMPLETE_DELAY).to_dict())
    running.control("POST", "/_sim/reset")
    if running.receiver is not None:  # a reset forgets the webhook URL too
        running.receiver.calls.clear()
        running.control("POST", "/_sim/webhook", {"url": running.receiver.url})
    return running


def eventually(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Call `check` until it returns something truthy (or fail after `timeout`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"not true within {timeout} s: {check}")
