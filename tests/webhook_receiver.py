"""A local HTTP server that keeps every webhook call posted to it (API PLEX records)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ACK = (200, b'{"code": "0"}')  # what a receiver answers to take a record


class Receiver:
    """A local HTTP server keeping every POST; answers from `answers`, then ACK."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.answers: list[tuple[int, bytes]] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/results"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def _take(self, headers: dict[str, str], payload: Any) -> tuple[int, bytes]:
        with self._lock:
            status, body = self.answers.pop(0) if self.answers else ACK
            call = {"headers": headers, "json": payload, "status": status, "at": time.time()}
            self.calls.append(call)
        return status, body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length))
                status, body = receiver._take(dict(self.headers), payload)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def records(self) -> list[dict[str, Any]]:
        """Every record received, in arrival order (each call holds exactly one)."""
        with self._lock:
            return [record for call in self.calls for record in call["json"]["results"]]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The records once at least `count` calls arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.calls) >= count:
                    break
            time.sleep(0.02)
        else:
            raise AssertionError(f"expected {count} calls; got {self.calls}")
        return self.records()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
