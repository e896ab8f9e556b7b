"""`python -m simulator sens`: announces itself, logs masked numbers, stops on SIGTERM."""

import signal
import subprocess
import sys
import time
from urllib.parse import urlencode

import requests

from worker.domain.signing import signature_v2


def test_cli_serves_and_stops_on_sigterm():
    command = [sys.executable, "-m", "simulator", "sens", "--port", "0", "--secret-key", "s3cr3t"]
    command += ["--access-key", "ak", "--service-id", "ncp:sms:kr:1:t"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("simulator sens listening on http://127.0.0.1:")
        base = line.rsplit(" ", 1)[1]
        assert requests.get(f"{base}/_sim/health", timeout=5).json() == {"ok": True}
        uri = "/sms/v2/services/ncp:sms:kr:1:t/messages?" + urlencode({"to": "01012345678"})
        stamp = str(int(time.time() * 1000))
        headers = {
            "x-ncp-apigw-timestamp": stamp,
            "x-ncp-iam-access-key": "ak",
            "x-ncp-apigw-signature-v2": signature_v2("GET", uri, stamp, "ak", "s3cr3t"),
        }
        answer = requests.get(base + uri, headers=headers, timeout=5)
        assert answer.status_code == 400  # signed fine; no window given
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "010****5678" in stderr
    assert "01012345678" not in stderr and "s3cr3t" not in stderr
