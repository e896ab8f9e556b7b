"""`bulksms serve` as its own process, on a free port, for the HTTP tests."""

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scripts import stack
from tests.integration.conftest import free_port


@contextmanager
def serving(values: dict[str, str], log_dir: Path) -> Iterator[str]:
    """The service with the simulators' settings and `values`, its output in
    log_dir/serve.log; yields its base URL and stops it afterwards."""
    port = free_port()
    env = stack.stack_env({**stack.simulators_env(), **values})
    argv = [str(Path(sys.executable).parent / "bulksms"), "serve", "--port", str(port)]
    with (log_dir / "serve.log").open("wb") as log:
        process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            stack.wait_http(f"{base}/health")
            yield base
        finally:
            process.terminate()
            process.wait(timeout=10)
