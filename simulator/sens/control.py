"""The unsigned /_sim control endpoints: health, stats, reset and runtime faults."""

import json

from simulator.sens.faults import Faults
from simulator.sens.replies import Reply
from simulator.sens.store import Store


def _update_faults(faults: Faults, body: bytes) -> Reply:
    try:
        changes = json.loads(body.decode("utf-8") or "{}")
        if not isinstance(changes, dict):
            raise ValueError("body must be a JSON object")
        return Reply(200, faults.update(changes).to_dict())
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return Reply(400, {"error": str(exc)})


def handle_control(store: Store, faults: Faults, method: str, path: str, body: bytes) -> Reply:
    """Answer one /_sim request."""
    match (method, path.rstrip("/")):
        case ("GET", "/_sim/health"):
            return Reply(200, {"ok": True})
        case ("GET", "/_sim/stats"):
            return Reply(200, store.counters.snapshot())
        case ("POST", "/_sim/reset"):
            store.reset()
            faults.reseed()
            return Reply(200, {"ok": True})
        case ("GET", "/_sim/faults"):
            return Reply(200, faults.settings.to_dict())
        case ("POST", "/_sim/faults"):
            return _update_faults(faults, body)
    return Reply(404, {"error": f"no control endpoint {method} {path}"})
