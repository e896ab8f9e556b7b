"""The HTTP layer: a threading server and a handler that turns requests into app calls."""

import json
import logging
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol, cast

from simulator.core.replies import Reply
from simulator.masking import mask_numbers


def _encoded(body: object) -> bytes:
    return b"" if body is None else json.dumps(body, ensure_ascii=False).encode()


class Handles(Protocol):
    """What the HTTP layer needs of a simulator application."""

    name: str

    def handle(self, method: str, raw_uri: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """The reply to one HTTP request."""
        ...


class SimHTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer carrying the app its handlers call.

    `stopping` is set on shutdown, so answers held back as "lost" are released at once.
    """

    daemon_threads = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], app: Handles) -> None:
        super().__init__(address, SimHandler)
        self.app = app
        self.stopping = threading.Event()

    def shutdown(self) -> None:
        """Release held answers, then stop serving."""
        self.stopping.set()
        super().shutdown()


class SimHandler(BaseHTTPRequestHandler):
    """Reads the body, asks the app, writes a JSON (or empty) answer, maybe held back."""

    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 120
    # Headers and body leave in one write (handle_one_request flushes); no Nagle delays.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True

    def version_string(self) -> str:
        """The Server header: `<provider>-simulator/0.1`."""
        return f"{self._server.app.name}-simulator/0.1"

    @property
    def _server(self) -> SimHTTPServer:
        return cast(SimHTTPServer, self.server)

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def do_PUT(self) -> None:
        self._answer("PUT")

    def do_DELETE(self) -> None:
        self._answer("DELETE")

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _answer(self, method: str) -> None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        reply = self._server.app.handle(method, self.path, headers, self._body())
        if reply.hold > 0:
            self._server.stopping.wait(reply.hold)
        try:
            self._write(reply)
        except (BrokenPipeError, ConnectionResetError):
            # A client that timed out on a held answer has gone: nothing to write to.
            self.close_connection = True

    def _write(self, reply: Reply) -> None:
        payload = reply.raw if reply.raw is not None else _encoded(reply.body)
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        """Brief request log to the provider's logger; no headers, phone numbers masked."""
        log = logging.getLogger(f"simulator.{self._server.app.name}")
        log.info("%s %s", self.client_address[0], mask_numbers(format % args))
