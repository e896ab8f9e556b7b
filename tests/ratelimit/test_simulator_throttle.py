"""The simulator's own send limit: 429 with gateway code 420 above it, counted and timed."""

import pytest
import requests

from scripts.simulated import sens_settings
from simulator.__main__ import build_parser, config_from_args
from simulator.config import SimConfig
from simulator.sens.faults import FaultSettings
from simulator.sens.throttle import Throttle
from simulator.server import start_in_thread
from worker.domain.messages import ContentType, MessageType
from worker.providers.base import OutgoingMessage, SendRequest
from worker.providers.errors import SlowDown
from worker.providers.sens.client import SensClient


def test_the_throttle_admits_a_burst_then_the_rate() -> None:
    throttle = Throttle()
    assert [throttle.admit(100.0, rate=10, burst=2) for _ in range(3)] == [True, True, False]
    assert throttle.admit(100.1, rate=10, burst=2)
    assert throttle.admit(100.1, rate=0, burst=0)  # off


def _request(number: str) -> SendRequest:
    message = OutgoingMessage(to=number, content="hello")
    return SendRequest(MessageType.SMS, ContentType.COMM, "0212345678", [message])


def test_sends_above_the_limit_get_429_420_and_the_client_slows_down() -> None:
    config = SimConfig(port=0, faults=FaultSettings(rate_limit=1, rate_burst=2))
    with start_in_thread(config) as sim:
        client = SensClient(sens_settings(sim.base_url))
        client.send(_request("01012340001"))
        client.send(_request("01012340002"))
        with pytest.raises(SlowDown) as refused:
            client.send(_request("01012340003"))
        assert (refused.value.status, refused.value.code) == (429, "420")
        stats = requests.get(f"{sim.base_url}/_sim/stats", timeout=5).json()
        assert (stats["requests_accepted"], stats["rate_limited"]) == (2, 1)
        assert len(stats["accepted_times"]) == 2
        off = requests.post(f"{sim.base_url}/_sim/faults", json={"rate_limit": None}, timeout=5)
        assert off.json()["rate_limit"] == 0
        client.send(_request("01012340003"))


def test_the_limit_is_a_command_line_flag() -> None:
    args = build_parser().parse_args(["--rate-limit", "20", "--rate-burst", "5"])
    faults = config_from_args(args).faults
    assert (faults.rate_limit, faults.rate_burst) == (20, 5)
