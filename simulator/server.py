"""Running a simulator: in a background thread (tests) or in the foreground (CLI)."""

import gc
import signal
import threading
from collections.abc import Callable
from types import FrameType

from simulator.apiplex.app import ApiplexApp
from simulator.config import SimConfig
from simulator.core.app import SimApp
from simulator.core.http import SimHTTPServer
from simulator.nhn.app import NhnApp
from simulator.sens.app import SensApp

APPS: dict[str, Callable[[SimConfig], SimApp]] = {
    "sens": SensApp,
    "nhn": NhnApp,
    "apiplex": ApiplexApp,
}


class RunningSimulator:
    """A simulator serving in a daemon thread; `stop()` shuts it down."""

    def __init__(self, server: SimHTTPServer, thread: threading.Thread) -> None:
        self.server = server
        self.thread = thread

    @property
    def app(self) -> SimApp:
        """The state behind the server (store, faults, counters)."""
        return self.server.app  # type: ignore[return-value]

    @property
    def base_url(self) -> str:
        """http://host:port, with the port actually bound."""
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        """Stop serving, close the listening socket and the app's background work."""
        self.server.shutdown()
        self.server.server_close()
        self.app.close()
        self.thread.join(timeout=5)

    def __enter__(self) -> "RunningSimulator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_in_thread(config: SimConfig) -> RunningSimulator:
    """Start `config.provider`'s simulator on `config.address` (port 0: any) in a thread."""
    server = SimHTTPServer(config.address, APPS[config.provider](config))
    name = f"{config.provider}-simulator"
    # A short poll interval: stop() returns within 0.1 s (tests start and stop many).
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True
    )
    thread.start()
    return RunningSimulator(server, thread)


def serve_forever(config: SimConfig, ready: Callable[[str], None] | None = None) -> None:
    """Serve until SIGTERM or SIGINT; `ready` gets the base URL once listening."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    # What start-up loaded is never garbage: keep the collector from walking it on every
    # full collection (a store grows by a few objects per request, parsing makes many).
    gc.freeze()
    running = start_in_thread(config)
    try:
        if ready is not None:
            ready(running.base_url)
        while not stop.wait(0.5):
            pass
    finally:
        running.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
