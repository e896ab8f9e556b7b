"""Brokers a test can break: a redis-server of its own to kill, a port that hangs up."""

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def own_redis(port: int | None = None) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A redis-server of the test's own, without persistence: (its URL, its process)."""
    port = port or free_port()
    argv = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
    process = subprocess.Popen([*argv, "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        _wait_ping(redis.Redis(port=port, socket_timeout=1))
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        process.kill()
        process.wait()


def _wait_ping(client: redis.Redis, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if client.ping():
                return
        except redis.RedisError:
            time.sleep(0.05)
    raise TimeoutError("redis-server did not start")


@contextmanager
def closing_server() -> Iterator[int]:
    """A TCP port that accepts connections and closes them at once."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)

    def serve() -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            client.close()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield server.getsockname()[1]
    finally:
        server.close()
