"""The HTTP layer: a threading server and a handler that turns requests into SensApp calls."""

import json
import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import cast

from simulator.masking import mask_numbers
from simulator.sens.app import SensApp
from simulator.sens.replies import Reply

log = logging.getLogger("simulator.sens")


class SensHTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer carrying the SensApp its handlers call."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], app: SensApp) -> None:
        super().__init__(address, SensHandler)
        self.app = app


class SensHandler(BaseHTTPRequestHandler):
    """Reads the body, asks the app, writes a JSON (or empty) answer."""

    server_version = "sens-simulator/0.1"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 120
    # Headers and body leave in one write (handle_one_request flushes); no Nagle delays.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True

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
        app = cast(SensHTTPServer, self.server).app
        headers = {name.lower(): value for name, value in self.headers.items()}
        self._write(app.handle(method, self.path, headers, self._body()))

    def _write(self, reply: Reply) -> None:
        payload = b"" if reply.body is None else json.dumps(reply.body, ensure_ascii=False).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        """Brief request log to the logger; no headers, phone numbers masked."""
        log.info("%s %s", self.client_address[0], mask_numbers(format % args))
