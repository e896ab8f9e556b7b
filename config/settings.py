"""One typed settings object read from BULKSMS_* environment variables and `.env`."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB_PATH = Path("var") / "bulksms.db"


class ProviderLimits(BaseModel):
    """How one provider is fed: batch size, shared rate limit, concurrency cap, slow-down.

    Change any of them with BULKSMS_<PROVIDER>__LIMITS__<FIELD>, e.g.
    BULKSMS_SENS__LIMITS__RATE_PER_SECOND=50 (docs/rate-limiting.md).
    """

    # SENS accepts at most 100 `messages` per send request (seed 003, "Send message").
    batch_size: int = Field(default=100, ge=1, le=100)
    # SENS publishes no per-second limit (PROVIDERS.md): start low, raise on evidence.
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


class SensSettings(BaseModel):
    """NAVER Cloud SENS credentials and endpoint."""

    base_url: str = "http://127.0.0.1:8090"
    service_id: str = "ncp:sms:kr:000000000000:bulksms"
    access_key: SecretStr = SecretStr("sim-access-key")
    secret_key: SecretStr = SecretStr("sim-secret-key")
    connect_timeout: float = Field(default=3.05, gt=0)
    read_timeout: float = Field(default=15.0, gt=0)
    limits: ProviderLimits = ProviderLimits()


class PollSettings(BaseModel):
    """When accepted batches are asked for their results."""

    first_delay_seconds: float = Field(default=5.0, ge=0)
    # Back-off between polls of one batch: 30 s, 1 min, 5 min, 30 min, 2 h (cap).
    backoff_seconds: list[float] = [30.0, 60.0, 300.0, 1800.0, 7200.0]
    beat_interval_seconds: float = Field(default=2.0, gt=0)
    batches_per_round: int = Field(default=200, ge=1)
    # "auto" picks the cheaper of a sweep and asking by requestId each round; the others force
    # one (a provider without a sweep endpoint is always asked by requestId).
    mode: Literal["auto", "sweep", "request_id"] = "auto"
    # A sweep re-reads this much before its watermark, so results listed a little after their
    # completeTime are not missed; anything later is caught by asking old batches by requestId.
    sweep_overlap_seconds: float = Field(default=10.0, ge=0)
    # Batches this old that still wait for results are also asked by requestId.
    catchup_after_seconds: float = Field(default=600.0, gt=0)
    # A message with no final result this long after sending is expired. SENS keeps
    # history for 90 days (seed 003), so the deadline can never be later than that.
    result_deadline_hours: float = Field(default=72.0, gt=0, le=89 * 24)


class SendSettings(BaseModel):
    """How send-time failures are re-tried."""

    retry_backoff_seconds: list[float] = [5.0, 30.0, 120.0, 600.0]
    max_attempts: int = Field(default=8, ge=1)
    lease_seconds: float = Field(default=120.0, gt=0)
    # A planned batch not claimed by then is published again (its task may have been lost).
    # Generous, since a long queue behind the rate limit also leaves batches unclaimed.
    republish_after_seconds: float = Field(default=3600.0, gt=0)
    release_interval_seconds: float = Field(default=2.0, gt=0)


class ResendSettings(BaseModel):
    """Re-sending recipients whose result was a transient failure (handset off, busy)."""

    # Waits before attempts 2, 3, …: 5 min, 30 min, 2 h; ±jitter spreads a big campaign.
    backoff_seconds: list[float] = [300.0, 1800.0, 7200.0]
    jitter: float = Field(default=0.2, ge=0, lt=1)
    # Sends per recipient, the first included.
    max_attempts: int = Field(default=3, ge=1)
    # A campaign accepts no re-send due after its deadline (created + this, unless given).
    default_deadline_hours: float = Field(default=24.0, gt=0)
    beat_interval_seconds: float = Field(default=5.0, gt=0)


class Settings(BaseSettings):
    """Everything the producer, workers and beat read, from BULKSMS_* variables."""

    model_config = SettingsConfigDict(
        env_prefix="BULKSMS_", env_file=".env", env_nested_delimiter="__", extra="ignore"
    )

    database_url: str = f"sqlite:///{DEFAULT_DB_PATH}"
    broker_url: str = "redis://127.0.0.1:6379/0"
    redis_url: str = "redis://127.0.0.1:6379/0"
    sens: SensSettings = SensSettings()
    poll: PollSettings = PollSettings()
    send: SendSettings = SendSettings()
    resend: ResendSettings = ResendSettings()
    # How often the providers' 080 opt-out lists are copied into the suppression table.
    opt_out_sync_seconds: float = Field(default=3600.0, gt=0)
    log_level: str = "INFO"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
