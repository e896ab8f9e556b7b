"""Running the simulator: in a background thread (tests) or in the foreground (CLI)."""

import signal
import threading
from collections.abc import Callable
from types import FrameType

from simulator.config import SimConfig
from simulator.sens.app import SensApp
from simulator.sens.handler import SensHTTPServer


class RunningSimulator:
    """A simulator serving in a daemon thread; `stop()` shuts it down."""

    def __init__(self, server: SensHTTPServer, thread: threading.Thread) -> None:
        self.server = server
        self.thread = thread

    @property
    def app(self) -> SensApp:
        """The state behind the server (store, faults, counters)."""
        return self.server.app

    @property
    def base_url(self) -> str:
        """http://host:port, with the port actually bound."""
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> "RunningSimulator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_in_thread(config: SimConfig) -> RunningSimulator:
    """Bind `config.host:config.port` (port 0 picks a free one) and serve in a thread."""
    server = SensHTTPServer((config.host, config.port), SensApp(config))
    thread = threading.Thread(target=server.serve_forever, name="sens-simulator", daemon=True)
    thread.start()
    return RunningSimulator(server, thread)


def serve_forever(config: SimConfig, ready: Callable[[str], None] | None = None) -> None:
    """Serve until SIGTERM or SIGINT; `ready` gets the base URL once listening."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
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
