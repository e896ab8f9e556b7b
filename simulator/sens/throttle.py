"""The simulator's own send-rate limit, answered as the SENS API Gateway's 429/420."""

from simulator.core.throttle import Throttle
from simulator.sens.replies import gateway_error

__all__ = ["RATE_LIMITED", "Throttle"]

# PROVIDERS.md, gateway errors: 429 with errorCode 420 "Rate Limited".
RATE_LIMITED = gateway_error(429, "420", "Rate Limited")
