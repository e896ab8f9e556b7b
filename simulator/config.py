"""Simulator configuration: which provider, where it listens, its credentials and faults.

Each provider's simulator has its own defaults (never the application's settings, whose
provider keys are unset until someone configures them): SENS listens on 8090 with service
id `ncp:sms:kr:000000000000:bulksms` and keys `sim-access-key`/`sim-secret-key`; NHN on 8091
with app key `sim-app-key` and secret key `sim-secret-key`; API PLEX on 8092 with API key
`sim-apiplex-key`. CLI flags, SimConfig fields and `default_config(...)` arguments override
them.
"""

from dataclasses import dataclass, field, replace

from simulator.core.faults import FaultSettings

PROVIDERS = ("sens", "nhn", "apiplex")
DEFAULT_PORTS = {"sens": 8090, "nhn": 8091, "apiplex": 8092}
DAY = 86400.0
# The NHN guide says nothing about how long an uploaded attachment stays usable; the
# simulator keeps it 6 days (a guess: long enough for a campaign, short enough to test).
DEFAULT_FILE_TTL = 6 * DAY


@dataclass(frozen=True, slots=True)
class SimConfig:
    """Everything fixed at start-up; faults (and the NHN webhook) can change at runtime."""

    host: str = "127.0.0.1"
    port: int | None = None  # None: the provider's default port; 0: any free port
    service_id: str = "ncp:sms:kr:000000000000:bulksms"  # SENS
    access_key: str = "sim-access-key"  # SENS
    secret_key: str = "sim-secret-key"  # SENS and NHN (X-Secret-Key)
    faults: FaultSettings = field(default_factory=FaultSettings)
    provider: str = "sens"
    app_key: str = "sim-app-key"  # NHN
    # NHN sender numbers that count as registered; empty: every number of 8 to 13 digits.
    registered_senders: tuple[str, ...] = ()
    file_ttl_seconds: float = DEFAULT_FILE_TTL  # NHN attachments, on the simulator clock
    api_key: str = "sim-apiplex-key"  # API PLEX (Authorization header)
    # NHN MESSAGE_RESULT_UPDATE / UNSUBSCRIBE target; API PLEX result records.
    webhook_url: str | None = None
    webhook_signature: str = ""  # sent as X-Toast-Webhook-Signature
    # The webhook guide gives no retry count: up to 10 retries, like API PLEX's webhooks.
    webhook_retries: int = 10
    # NHN: the first retry delay, doubling per retry (max 60 s); API PLEX: retry n waits n × it.
    webhook_backoff_seconds: float = 1.0

    def __post_init__(self) -> None:
        if self.provider not in PROVIDERS:
            raise ValueError(f"unknown provider {self.provider!r}; known: {', '.join(PROVIDERS)}")

    @property
    def address(self) -> tuple[str, int]:
        """(host, port) to bind, with the provider's default port when none is set."""
        return self.host, DEFAULT_PORTS[self.provider] if self.port is None else self.port


def default_config(provider: str = "sens", **overrides: object) -> SimConfig:
    """The provider's default SimConfig with `overrides` (any SimConfig field) applied."""
    return replace(SimConfig(provider=provider), **overrides)  # type: ignore[arg-type]
