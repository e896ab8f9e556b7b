"""Fixtures: an API PLEX simulator on a free port in a thread, a client, a webhook receiver."""

import pytest
from apiplex_support import BACKOFF, COMPLETE_DELAY, SEED, ApiplexClient, Receiver, send_body

from simulator.apiplex.faults import ApiplexFaultSettings
from simulator.config import default_config
from simulator.server import RunningSimulator, start_in_thread

DEFAULTS = ApiplexFaultSettings(seed=SEED, complete_delay=COMPLETE_DELAY)


@pytest.fixture(scope="session")
def apiplex_simulator():
    config = default_config(
        "apiplex", port=0, faults=DEFAULTS, webhook_retries=10, webhook_backoff_seconds=BACKOFF
    )
    running = start_in_thread(config)
    yield running
    running.stop()


@pytest.fixture
def apiplex(apiplex_simulator: RunningSimulator) -> ApiplexClient:
    client = ApiplexClient(apiplex_simulator)
    client.faults(**DEFAULTS.to_dict())
    assert client.control("POST", "/_sim/reset").json() == {"ok": True}
    return client


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.stop()


@pytest.fixture
def body():
    """Builds a send body: body("+44...", "+1...", text=..., **extra)."""
    return send_body
