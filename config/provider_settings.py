"""Settings of each provider: endpoint, credentials, timeouts and how it is fed."""

from typing import Literal

from pydantic import BaseModel, Field, SecretStr


class ProviderLimits(BaseModel):
    """How one provider is fed: batch size, shared rate limit, concurrency cap, slow-down.

    Change any of them with BULKSMS_<PROVIDER>__LIMITS__<FIELD>, e.g.
    BULKSMS_SENS__LIMITS__RATE_PER_SECOND=50 (docs/rate-limiting.md).
    """

    # Recipients per request; None takes the provider's largest batch (config/providers.py).
    batch_size: int | None = Field(default=None, ge=1)
    # No provider publishes a per-second limit (PROVIDERS.md): start low, raise on evidence.
    # The ceiling of the effective rate, shared by every worker process (requests/s).
    rate_per_second: float = Field(default=10.0, gt=0)
    # The most requests any 100 ms may hold, an idle spell's burst included (GCRA).
    burst: int = Field(default=10, ge=1)
    # Optional second limit in messages/s: a 100-recipient request spends 100 tokens.
    messages_per_second: float | None = Field(default=None, gt=0)
    message_burst: int = Field(default=100, ge=1)
    # Key the limit by provider and sender number instead of by provider alone.
    per_sender: bool = False
    # Requests admitted and not yet answered (including their limiter wait); None: no cap.
    max_in_flight: int | None = Field(default=8, ge=1)
    # A slot of a worker that died frees itself after this; keep it above the call timeouts.
    in_flight_lease_seconds: float = Field(default=60.0, gt=0)
    # A longer wait re-queues the task with that countdown instead of sleeping in a worker.
    max_wait_seconds: float = Field(default=5.0, ge=0)
    # On HTTP 429 the effective rate is multiplied by this, not below min_rate ...
    slow_down_factor: float = Field(default=0.5, gt=0, lt=1)
    min_rate: float = Field(default=1.0, gt=0)
    # ... and climbs back by recovery_step per recovery_interval_seconds without a 429.
    recovery_step: float = Field(default=1.0, gt=0)
    recovery_interval_seconds: float = Field(default=10.0, gt=0)


class ProviderSettings(BaseModel):
    """What every provider has: an endpoint, timeouts on every call, and its limits."""

    base_url: str
    connect_timeout: float = Field(default=3.05, gt=0)
    read_timeout: float = Field(default=15.0, gt=0)
    limits: ProviderLimits = ProviderLimits()
    # The shared secret of its webhook, as set in the provider's console (NHN: the
    # signature string it sends in X-Toast-Webhook-Signature). Unset: every call is refused.
    webhook_secret: SecretStr | None = None

    def credentials_set(self) -> bool:
        """True when every key the provider needs is set (else it is not offered)."""
        raise NotImplementedError


def _given(*values: SecretStr | str | None) -> bool:
    return all(
        v is not None and (v.get_secret_value() if isinstance(v, SecretStr) else v) for v in values
    )


class SensSettings(ProviderSettings):
    """NAVER Cloud SENS: BULKSMS_SENS__SERVICE_ID, __ACCESS_KEY, __SECRET_KEY."""

    base_url: str = "https://sens.apigw.ntruss.com"
    service_id: str | None = None
    access_key: SecretStr | None = None
    secret_key: SecretStr | None = None

    def credentials_set(self) -> bool:
        """Service id, access key and secret key are all given."""
        return _given(self.service_id, self.access_key, self.secret_key)


class NhnSettings(ProviderSettings):
    """NHN Cloud Notification SMS: BULKSMS_NHN__APP_KEY and __SECRET_KEY."""

    base_url: str = "https://sms.api.nhncloudservice.com"
    # The appKey travels in every path, so it is kept out of logs like a secret.
    app_key: SecretStr | None = None
    secret_key: SecretStr | None = None

    def credentials_set(self) -> bool:
        """App key and secret key are both given."""
        return _given(self.app_key, self.secret_key)


class ApiplexSettings(ProviderSettings):
    """API PLEX Global Message (GMS v2): BULKSMS_APIPLEX__API_KEY and __ROUTE."""

    # PROVIDERS.md: POST https://gi8f5tsosp.apigw.ntruss.com/{gms-kg|gms-gk}/v2/send.
    base_url: str = "https://gi8f5tsosp.apigw.ntruss.com"
    # The `Authorization` header's value; a secret, never logged.
    api_key: SecretStr | None = None
    # gms-kg sends from Korea abroad, gms-gk from abroad to Korea.
    route: Literal["gms-kg", "gms-gk"] = "gms-kg"

    def credentials_set(self) -> bool:
        """The API key is given."""
        return _given(self.api_key)
