"""The unsigned /_sim control endpoints: health, stats, reset, runtime faults and the clock."""

import json
from typing import Any

from simulator.sens.clock import SimClock
from simulator.sens.faults import Faults
from simulator.sens.replies import Reply
from simulator.sens.store import Store


def _json_object(body: bytes) -> dict[str, Any]:
    changes = json.loads(body.decode("utf-8") or "{}")
    if not isinstance(changes, dict):
        raise ValueError("body must be a JSON object")
    return changes


def _update_faults(faults: Faults, body: bytes) -> Reply:
    try:
        return Reply(200, faults.update(_json_object(body)).to_dict())
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return Reply(400, {"error": str(exc)})


def _advance_clock(clock: SimClock, body: bytes) -> Reply:
    try:
        seconds = _json_object(body).get("advance_seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise ValueError("advance_seconds must be a number of seconds")
        return Reply(200, {"offset_seconds": clock.advance(float(seconds))})
    except ValueError as exc:
        return Reply(400, {"error": str(exc)})


def handle_control(
    store: Store, faults: Faults, method: str, path: str, body: bytes, clock: SimClock
) -> Reply:
    """Answer one /_sim request.

    GET /_sim/clock → {"offset_seconds": x}; POST /_sim/clock {"advance_seconds": N} (N ≥ 0)
    moves the simulator's "now" forward for message lifecycles, reservations and list window
    rules (never for the signature's 5-minute skew check); POST /_sim/reset sets it back to 0.
    """
    match (method, path.rstrip("/")):
        case ("GET", "/_sim/health"):
            return Reply(200, {"ok": True})
        case ("GET", "/_sim/stats"):
            return Reply(200, store.counters.snapshot())
        case ("POST", "/_sim/reset"):
            store.reset()
            faults.reseed()
            clock.reset()
            return Reply(200, {"ok": True})
        case ("GET", "/_sim/faults"):
            return Reply(200, faults.settings.to_dict())
        case ("POST", "/_sim/faults"):
            return _update_faults(faults, body)
        case ("GET", "/_sim/clock"):
            return Reply(200, {"offset_seconds": clock.offset})
        case ("POST", "/_sim/clock"):
            return _advance_clock(clock, body)
    return Reply(404, {"error": f"no control endpoint {method} {path}"})
