"""One typed settings object read from BULKSMS_* environment variables and `.env`."""

from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.provider_settings import ApiplexSettings, NhnSettings, SensSettings

DEFAULT_DB_PATH = Path("var") / "bulksms.db"
# Written by `make up` with the simulators' endpoints and keys; .env and the environment win.
SIMULATORS_ENV = Path("var") / "simulators.env"


class PollSettings(BaseModel):
    """When accepted batches are asked for their results."""

    first_delay_seconds: float = Field(default=5.0, ge=0)
    # Back-off between polls of one batch: 30 s, 1 min, 5 min, 30 min, 2 h (cap).
    backoff_seconds: list[float] = [30.0, 60.0, 300.0, 1800.0, 7200.0]
    beat_interval_seconds: float = Field(default=2.0, gt=0)
    batches_per_round: int = Field(default=200, ge=1)
    # Asked by requestId, a round's batches are handed out in tasks of this many, so several
    # worker processes read and apply results at once (0: the round reads them all itself).
    fan_out_batches: int = Field(default=20, ge=0)
    # A handed-out batch is not due again for this long (its task may be lost: then it is).
    fan_out_lease_seconds: float = Field(default=120.0, gt=0)
    # "auto" picks the cheaper of a sweep and asking by requestId each round; the others force
    # one (a provider without a sweep endpoint is always asked by requestId).
    mode: Literal["auto", "sweep", "request_id"] = "auto"
    # A sweep re-reads this much before its watermark, so results listed a little after their
    # completeTime are not missed; anything later is caught by asking old batches by requestId.
    sweep_overlap_seconds: float = Field(default=10.0, ge=0)
    # Batches this old that still wait for results are also asked by requestId.
    catchup_after_seconds: float = Field(default=600.0, gt=0)
    # A provider that pushes results (its webhook secret set) is first polled only this long
    # after a send: polls then read only what no webhook reported.
    webhook_first_delay_seconds: float = Field(default=600.0, ge=0)
    # A message with no final result this long after sending is expired. It must stay
    # inside every offered provider's result history (config/providers.py checks it).
    result_deadline_hours: float = Field(default=72.0, gt=0)


class SendSettings(BaseModel):
    """How send-time failures are re-tried."""

    retry_backoff_seconds: list[float] = [5.0, 30.0, 120.0, 600.0]
    max_attempts: int = Field(default=8, ge=1)
    lease_seconds: float = Field(default=120.0, gt=0)
    # A planned batch not claimed this long after it was published is published again once
    # its provider's send queue is empty (its task was lost: a broker restart, a purge).
    # While the queue still holds tasks it waits: a long queue behind the rate limit also
    # leaves batches unclaimed.
    republish_after_seconds: float = Field(default=30.0, gt=0)
    release_interval_seconds: float = Field(default=2.0, gt=0)
    # A send whose answer never came is looked up at the provider this long after it was
    # claimed (past the call's timeouts and the provider's listing delay), then again on
    # the lookup ladder; after max_lookups failed lookups its recipients become `unknown`.
    lookup_delay_seconds: float = Field(default=60.0, ge=0)
    # An import whose producer stamped no heartbeat for this long died: its campaign is
    # stopped (cancelled) as a failed import is. The producer stamps every 10 s.
    import_silence_seconds: float = Field(default=120.0, gt=0)
    lookup_backoff_seconds: list[float] = [30.0, 60.0, 300.0, 900.0]
    max_lookups: int = Field(default=12, ge=1)


class ServiceSettings(BaseModel):
    """The HTTP service (`bulksms serve`): where it listens and what it takes."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # uvicorn worker processes; each takes calls and commits them in groups of its own.
    workers: int = Field(default=1, ge=1)
    # A webhook call larger than this is refused with 413, unread.
    max_body_bytes: int = Field(default=1_000_000, gt=0)
    # /metrics reads the database, Redis and the broker; a scrape within this long of the
    # last one is answered from it, so a scraper hammering the service cannot load them.
    metrics_cache_seconds: float = Field(default=2.0, ge=0)
    # Stored webhook calls applied per round, and how often beat runs a round.
    inbox_interval_seconds: float = Field(default=1.0, gt=0)
    # A webhook result can outrun its send's own answer: an event naming a request or batch
    # we do not hold yet is tried again for this long before it is set aside as unmatched.
    unmatched_hold_seconds: float = Field(default=300.0, ge=0)


class FlowerSettings(BaseModel):
    """Flower's login (HTTP basic auth); without a password `make up` generates one."""

    user: str = Field(default="bulksms", min_length=1, pattern=r"^[^:,]+$")
    password: SecretStr | None = None

    @field_validator("password")
    @classmethod
    def _empty_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        # Checked where it is used (scripts/flower_login.py): a validation error here would
        # echo the value.
        return value if value is not None and value.get_secret_value() else None


class AdSettings(BaseModel):
    """Advertising messages (Information and Communications Network Act, Art. 50; PROVIDERS.md):
    what the tool adds to an AD campaign, and the hours it never sends one in."""

    # The sender's name shown after "(광고)"; set, it is added where a template lacks it.
    sender_name: str | None = None
    # The free opt-out number (080…); set, "무료수신거부 <number>" ends a template lacking one.
    opt_out_number: str | None = None
    # Korea time: an AD batch is never sent from quiet_start until quiet_end (the law: 21:00
    # to 08:00, unless the recipients consented to night-time ads: --night-consent).
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    # A batch is held this long before the quiet hours start too: a request the provider
    # takes at 20:59:59 must not reach handsets after 21:00.
    quiet_margin_seconds: float = Field(default=60.0, ge=0)


class PriceSettings(BaseModel):
    """KRW per message by provider and type, for the preview's cost estimate (BULKSMS_PRICES__
    SENS__LMS=30 …). The defaults are round placeholders of the usual order of magnitude, not
    any provider's price list: put your contract's prices in."""

    sens: dict[str, float] = {"SMS": 9.0, "LMS": 30.0, "MMS": 100.0}
    nhn: dict[str, float] = {"SMS": 9.9, "LMS": 30.0, "MMS": 100.0, "INTL": 100.0}
    # API PLEX prices an SMS abroad by part; INTL here is per part.
    apiplex: dict[str, float] = {"INTL": 80.0}

    @field_validator("sens", "nhn", "apiplex", mode="before")
    @classmethod
    def _over_defaults(cls, given: object, info: ValidationInfo) -> object:
        """BULKSMS_PRICES__SENS__LMS=31 arrives as {"lms": 31} and would replace the whole
        table: read the given prices (types upper-cased) over the defaults instead."""
        if not isinstance(given, dict):
            return given
        defaults = cls.model_fields[str(info.field_name)].default
        return {**defaults, **{str(kind).upper(): price for kind, price in given.items()}}


class RoutingSettings(BaseModel):
    """How campaigns on `auto` pick a provider for each batch."""

    # Provider names in order of preference; empty: every offered provider, registry order.
    order: list[str] = []


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


class BreakerSettings(BaseModel):
    """When a provider is taken out of use (worker/health), shared by every worker process.

    As GOV.UK Notify switches providers: after a run of errors, or when too many messages
    wait too long for their result. 429s never count: they only slow the rate limiter.
    """

    # Opens after this many 5xx / timeout / network errors within window_seconds
    # (Notify: 50 in 60 s; our batches are larger, so fewer failed requests say as much).
    errors_to_open: int = Field(default=20, ge=1)
    window_seconds: float = Field(default=60.0, gt=0)
    # Open this long, then one probe request is let through (half-open).
    open_seconds: float = Field(default=30.0, gt=0)
    # A probe whose worker died frees itself after this long (keep it above the timeouts).
    probe_lease_seconds: float = Field(default=60.0, gt=0)
    # Opens when more than slow_share of the messages sent slow_after_seconds ago or earlier
    # still have no result, counted over at least slow_min_messages (a tiny sample says little).
    slow_after_seconds: float = Field(default=300.0, gt=0)
    slow_share: float = Field(default=0.15, ge=0, lt=1)
    slow_min_messages: int = Field(default=100, ge=1)


class Settings(BaseSettings):
    """Everything the producer, workers and beat read, from BULKSMS_* variables."""

    model_config = SettingsConfigDict(
        env_prefix="BULKSMS_",
        env_file=(SIMULATORS_ENV, ".env"),
        env_nested_delimiter="__",
        extra="ignore",
    )

    database_url: str = f"sqlite:///{DEFAULT_DB_PATH}"
    broker_url: str = "redis://127.0.0.1:6379/0"
    redis_url: str = "redis://127.0.0.1:6379/0"
    sens: SensSettings = SensSettings()
    nhn: NhnSettings = NhnSettings()
    apiplex: ApiplexSettings = ApiplexSettings()
    poll: PollSettings = PollSettings()
    send: SendSettings = SendSettings()
    resend: ResendSettings = ResendSettings()
    breaker: BreakerSettings = BreakerSettings()
    routing: RoutingSettings = RoutingSettings()
    ad: AdSettings = AdSettings()
    prices: PriceSettings = PriceSettings()
    service: ServiceSettings = ServiceSettings()
    flower: FlowerSettings = FlowerSettings()
    # How often the providers' 080 opt-out lists are copied into the suppression table.
    opt_out_sync_seconds: float = Field(default=3600.0, gt=0)
    log_level: str = "INFO"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
