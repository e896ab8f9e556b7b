"""SENS fault answers: the API Gateway's 429 and 5xx bodies (PROVIDERS.md, gateway errors)."""

from simulator.core.faults import Fault, FaultReplies, Faults, FaultSettings, updated
from simulator.sens.replies import gateway_error

__all__ = ["REPLIES", "Fault", "FaultSettings", "Faults", "sens_faults", "updated"]

SERVER_ERRORS = (
    gateway_error(503, "500", "Endpoint Error"),
    gateway_error(504, "510", "Endpoint Timeout"),
    gateway_error(500, "900", "Unexpected Error"),
)
THROTTLED = gateway_error(429, "410", "Throttle Limited")
REPLIES = FaultReplies(THROTTLED, SERVER_ERRORS)


def sens_faults(settings: FaultSettings) -> Faults[FaultSettings]:
    """Runtime faults that answer as the SENS API Gateway does."""
    return Faults(settings, REPLIES)
