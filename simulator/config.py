"""Simulator configuration: where it listens, its credentials, and its fault settings."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from config.settings import get_settings
from simulator.sens.faults import FaultSettings


@dataclass(frozen=True, slots=True)
class SimConfig:
    """Everything fixed at start-up; faults can change later via POST /_sim/faults."""

    host: str = "127.0.0.1"
    port: int = 8090
    service_id: str = "ncp:sms:kr:000000000000:bulksms"
    access_key: str = "sim-access-key"
    secret_key: str = "sim-secret-key"
    faults: FaultSettings = field(default_factory=FaultSettings)


def default_config(**overrides: object) -> SimConfig:
    """A SimConfig whose host, port, service id and keys come from `get_settings().sens`."""
    sens = get_settings().sens
    url = urlsplit(sens.base_url)
    values: dict[str, object] = {
        "host": url.hostname or "127.0.0.1",
        "port": url.port or 8090,
        "service_id": sens.service_id,
        "access_key": sens.access_key.get_secret_value(),
        "secret_key": sens.secret_key.get_secret_value(),
    }
    values.update(overrides)
    return SimConfig(**values)  # type: ignore[arg-type]
