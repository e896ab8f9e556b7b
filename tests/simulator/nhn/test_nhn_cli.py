"""`python -m simulator nhn`: announces itself, takes its flags, logs masked numbers, stops."""

import signal
import subprocess
import sys

import requests

from simulator.__main__ import build_parser, config_from_args


def test_nhn_flags_make_the_config():
    args = build_parser().parse_args(
        ["nhn", "--app-key", "k", "--registered-senders", "0212345678, 15446859", "--refuse-rate",
         "0.2", "--lost-rate", "0.5", "--webhook-url", "http://127.0.0.1:1/h", "--webhook-shuffle"]
    )  # fmt: skip
    config = config_from_args(args)
    assert (config.provider, config.app_key, config.address) == ("nhn", "k", ("127.0.0.1", 8091))
    assert config.registered_senders == ("0212345678", "15446859")
    assert (config.faults.refuse_rate, config.faults.lost_rate) == (0.2, 0.5)
    assert config.faults.webhook_shuffle is True and config.webhook_url == "http://127.0.0.1:1/h"
    sens = config_from_args(build_parser().parse_args([]))
    assert (sens.provider, sens.address) == ("sens", ("127.0.0.1", 8090))
    assert not hasattr(sens.faults, "refuse_rate")


def test_cli_serves_and_stops_on_sigterm():
    command = [sys.executable, "-m", "simulator", "nhn", "--port", "0", "--app-key", "ak"]
    command += ["--secret-key", "s3cr3t"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("simulator nhn listening on http://127.0.0.1:")
        base = line.rsplit(" ", 1)[1]
        assert requests.get(f"{base}/_sim/health", timeout=5).json() == {"ok": True}
        answer = requests.get(
            f"{base}/sms/v3.0/appKeys/ak/sender/sms",
            params={"recipientNo": "01012345678"},
            headers={"X-Secret-Key": "s3cr3t"},
            timeout=5,
        )
        assert answer.json()["header"]["resultCode"] == -2011  # authenticated; no window
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "010****5678" in stderr
    assert "01012345678" not in stderr and "s3cr3t" not in stderr
