"""One typed settings object read from BULKSMS_* environment variables and `.env`."""

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB_PATH = Path("var") / "bulksms.db"


class ProviderLimits(BaseModel):
    """How one provider is fed: batch size and request rate."""

    # SENS accepts at most 100 `messages` per send request (seed 003, "Send message").
    batch_size: int = Field(default=100, ge=1, le=100)
    # SENS publishes no per-second limit (PROVIDERS.md): start low, raise on evidence.
    rate_per_second: float = Field(default=10.0, gt=0)
    burst: int = Field(default=10, ge=1)


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


class SendSettings(BaseModel):
    """How send-time failures are re-tried."""

    retry_backoff_seconds: list[float] = [5.0, 30.0, 120.0, 600.0]
    max_attempts: int = Field(default=8, ge=1)
    lease_seconds: float = Field(default=120.0, gt=0)
    # A planned batch not claimed by then is published again (its task may have been lost).
    # Generous, since a long queue behind the rate limit also leaves batches unclaimed.
    republish_after_seconds: float = Field(default=3600.0, gt=0)
    release_interval_seconds: float = Field(default=2.0, gt=0)


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
    log_level: str = "INFO"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
