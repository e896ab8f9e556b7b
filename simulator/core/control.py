"""The unauthenticated /_sim control endpoints: health, stats, reset, runtime faults, the clock."""

import json
from typing import Any, Protocol

from simulator.core.clock import SimClock
from simulator.core.counters import Counters
from simulator.core.faults import Faults, FaultSettings
from simulator.core.replies import Reply


class Controlled(Protocol):
    """What the control endpoints reach in a simulator application."""

    @property
    def counters(self) -> Counters:
        """The tallies behind GET /_sim/stats."""
        ...

    @property
    def faults(self) -> Faults[Any]:
        """The runtime fault settings."""
        ...

    @property
    def clock(self) -> SimClock:
        """The lifecycle clock."""
        ...

    def reset(self) -> None:
        """Forget every request and counter; clock offset back to 0."""
        ...


def json_object(body: bytes) -> dict[str, Any]:
    """The JSON object in `body` (empty: {}); ValueError when it is not one."""
    changes = json.loads(body.decode("utf-8") or "{}")
    if not isinstance(changes, dict):
        raise ValueError("body must be a JSON object")
    return changes


def error(message: str) -> Reply:
    """A 400 control answer naming the problem."""
    return Reply(400, {"error": message})


def _update_faults(faults: Faults[FaultSettings], body: bytes) -> Reply:
    try:
        return Reply(200, faults.update(json_object(body)).to_dict())
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return error(str(exc))


def _advance_clock(clock: SimClock, body: bytes) -> Reply:
    try:
        seconds = json_object(body).get("advance_seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise ValueError("advance_seconds must be a number of seconds")
        return Reply(200, {"offset_seconds": clock.advance(float(seconds))})
    except ValueError as exc:
        return error(str(exc))


def handle_control(app: Controlled, method: str, path: str, body: bytes) -> Reply:
    """Answer one /_sim request.

    GET /_sim/clock → {"offset_seconds": x}; POST /_sim/clock {"advance_seconds": N} (N ≥ 0)
    moves the simulator's "now" forward for message lifecycles, reservations and list window
    rules (never for time-based auth); POST /_sim/reset sets it back to 0.
    """
    match (method, path.rstrip("/")):
        case ("GET", "/_sim/health"):
            return Reply(200, {"ok": True})
        case ("GET", "/_sim/stats"):
            return Reply(200, raw=app.counters.snapshot_json())
        case ("POST", "/_sim/reset"):
            app.reset()
            return Reply(200, {"ok": True})
        case ("GET", "/_sim/faults"):
            return Reply(200, app.faults.settings.to_dict())
        case ("POST", "/_sim/faults"):
            return _update_faults(app.faults, body)
        case ("GET", "/_sim/clock"):
            return Reply(200, {"offset_seconds": app.clock.offset})
        case ("POST", "/_sim/clock"):
            return _advance_clock(app.clock, body)
    return Reply(404, {"error": f"no control endpoint {method} {path}"})
