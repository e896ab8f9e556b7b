"""`python -m simulator apiplex`: its flags, its default port and key, serving and stopping."""

import signal
import subprocess
import sys

import pytest
import requests

from simulator.__main__ import build_parser, config_from_args


def test_apiplex_flags_make_the_config():
    args = build_parser().parse_args(
        ["apiplex", "--api-key", "k", "--webhook-url", "http://127.0.0.1:1/r", "--webhook-shuffle",
         "--webhook-duplicate-rate", "0.1", "--webhook-late-pending-rate", "0.2",
         "--webhook-burst-seconds", "1.5", "--webhook-retries", "3", "--webhook-backoff", "0.2",
         "--lost-rate", "0.5", "--recover-after", "2", "--complete-delay", "1"]
    )  # fmt: skip
    config = config_from_args(args)
    assert (config.provider, config.api_key, config.address) == (
        "apiplex",
        "k",
        ("127.0.0.1", 8092),
    )
    assert config.webhook_url == "http://127.0.0.1:1/r"
    assert (config.webhook_retries, config.webhook_backoff_seconds) == (3, 0.2)
    faults = config.faults
    assert faults.webhook_shuffle is True and faults.webhook_duplicate_rate == 0.1
    assert (faults.webhook_late_pending_rate, faults.webhook_burst_seconds) == (0.2, 1.5)
    assert (faults.lost_rate, faults.recover_after, faults.complete_delay) == (0.5, 2, 1.0)


def test_defaults_key_and_port():
    config = config_from_args(build_parser().parse_args(["apiplex"]))
    assert (config.api_key, config.address) == ("sim-apiplex-key", ("127.0.0.1", 8092))
    assert config.webhook_url is None and config.webhook_retries == 10


def test_out_of_range_fault_flag_is_a_usage_error(capsys):
    from simulator.__main__ import main

    with pytest.raises(SystemExit):
        main(["apiplex", "--webhook-late-pending-rate", "2"])
    assert "webhook_late_pending_rate" in capsys.readouterr().err


def test_cli_serves_and_stops_on_sigterm():
    command = [sys.executable, "-m", "simulator", "apiplex", "--port", "0", "--api-key", "s3cr3t"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("simulator apiplex listening on http://127.0.0.1:")
        base = line.rsplit(" ", 1)[1]
        assert requests.get(f"{base}/_sim/health", timeout=5).json() == {"ok": True}
        body = {"from": "0212345678", "text": "hi", "destinations": [{"to": "+447700900123"}]}
        answer = requests.post(
            f"{base}/gms-kg/v2/send", json=body, headers={"Authorization": "s3cr3t"}, timeout=5
        )
        assert answer.status_code == 200 and answer.json()["code"] == "0"
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "POST /gms-kg/v2/send" in stderr and "s3cr3t" not in stderr
