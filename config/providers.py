"""The provider registry: per provider its settings, client, largest batch, queue and abilities.

Adding a provider is one entry here plus its own package under worker/providers/ (and a
simulator under simulator/). config imports nothing of ours, so the client is named by its
import path; worker/providers/factory.py resolves it.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from config import names
from config.provider_settings import (
    ApiplexSettings,
    NhnSettings,
    ProviderSettings,
    SensSettings,
)
from config.settings import Settings


@dataclass(frozen=True, slots=True)
class ImageLimits:
    """What one MMS image may be, as the provider's documents state it."""

    max_bytes: int
    max_width: int
    max_height: int
    formats: tuple[str, ...] = ("JPEG",)  # Pillow's format names
    # How long an uploaded file stays usable when the upload answer does not say.
    keep: timedelta = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a provider can do; routing, spec checks, polling and beat read these."""

    # A request can carry a send time; the provider refuses one closer than the minimum lead.
    reservations: bool = False
    reserve_min_lead: timedelta = timedelta(0)
    reserve_max_ahead: timedelta | None = None
    # Results can be read by request id (polling), by a time window (a sweep), or are pushed;
    # the provider keeps them this long.
    polling: bool = True
    result_history: timedelta = timedelta(days=30)
    sweep: bool = False
    webhooks: bool = False
    # Long messages with images, and how many images a message may carry.
    mms: bool = False
    max_images: int = 0
    images: ImageLimits | None = None
    domestic: bool = True
    international: bool = False
    # An advertising content type (or endpoint) exists.
    ad: bool = False
    # The provider keeps an 080 opt-out list we can copy.
    opt_out_list: bool = False
    # A request can be accepted while some of its recipients are refused, each with a code.
    partial_refusal: bool = False
    # Template text the provider reads as its own markup, so a campaign may not contain it.
    reserved_text: tuple[str, ...] = ()
    # The header its webhook calls carry our shared secret in (with `webhooks`).
    webhook_secret_header: str = "X-Webhook-Secret"


@dataclass(frozen=True, slots=True)
class Simulator:
    """The provider's simulator (`bulksms-simulator <name>`): its port and the settings that
    point our client at it (its default keys), for make up, the demo and the tests."""

    port: int
    settings: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Provider:
    """One registry entry."""

    name: str
    title: str
    # Its block of Settings (BULKSMS_<FIELD>__…) and that block's model.
    settings_field: str
    settings_model: type[ProviderSettings]
    client: str  # "package.module:ClassName" of its ProviderClient
    max_batch: int
    capabilities: Capabilities = field(default_factory=Capabilities)
    simulator: Simulator = field(default_factory=lambda: Simulator(0))

    @property
    def queue(self) -> str:
        """The queue its send tasks travel on."""
        return names.send_queue(self.name)


SENS = Provider(
    name="sens",
    title="NAVER Cloud SENS",
    settings_field="sens",
    settings_model=SensSettings,
    client="worker.providers.sens.client:SensClient",
    # Seed 003, "Send message": `messages` holds up to 100 recipients.
    max_batch=100,
    capabilities=Capabilities(
        reservations=True,
        # PROVIDERS.md: reserveTime at least 10 minutes ahead.
        reserve_min_lead=timedelta(minutes=10),
        # Seed 003: nothing older than 90 days can be read.
        result_history=timedelta(days=90),
        sweep=True,
        mms=True,
        max_images=1,
        # Seed 003, "Upload files": .jpg/.jpeg, up to 300 KB, up to 1500 × 1440, kept 6 days
        # (the answer's expireTime says so too).
        images=ImageLimits(300 * 1024, 1500, 1440, keep=timedelta(days=6)),
        # Seed 003 takes one countryCode per request, and our international batches mix
        # countries: abroad goes through NHN (a countryCode per recipient) or API PLEX.
        international=False,
        ad=True,
        opt_out_list=True,
    ),
    simulator=Simulator(
        8090,
        {
            "service_id": "ncp:sms:kr:000000000000:bulksms",
            "access_key": "sim-access-key",
            "secret_key": "sim-secret-key",
        },
    ),
)

NHN = Provider(
    name="nhn",
    title="NHN Cloud Notification SMS",
    settings_field="nhn",
    settings_model=NhnSettings,
    client="worker.providers.nhn.client:NhnClient",
    # PROVIDERS.md / API v3.0 guide: recipientList holds up to 1,000 recipients.
    max_batch=1000,
    capabilities=Capabilities(
        reservations=True,
        # The guide only refuses a requestDate before now (-2022), at minute resolution.
        reserve_min_lead=timedelta(minutes=1),
        # requestDate "can be set up to 60 days from now".
        reserve_max_ahead=timedelta(days=60),
        # PROVIDERS.md: history kept 180 days.
        result_history=timedelta(days=180),
        sweep=True,
        webhooks=True,
        mms=True,
        max_images=3,
        # API guide, "Restrictions for Attached Images": JPG, under 300 KB (seed 002 -2005),
        # under 1000 × 1000. It states no retention: a file is reused for a day, and -2004
        # ("expired or does not exist") makes us upload it again sooner.
        images=ImageLimits(300 * 1024 - 1, 1000, 1000),
        international=True,
        ad=True,
        opt_out_list=True,
        partial_refusal=True,
        # templateParameter fills ##key## in the body, so a literal ## would be read as one.
        reserved_text=("##",),
        # webhook.md: the signature string set in the console comes back in this header.
        webhook_secret_header="X-Toast-Webhook-Signature",
    ),
    simulator=Simulator(8091, {"app_key": "sim-app-key", "secret_key": "sim-secret-key"}),
)

APIPLEX = Provider(
    name="apiplex",
    title="API PLEX Global Message",
    settings_field="apiplex",
    settings_model=ApiplexSettings,
    client="worker.providers.apiplex.client:ApiplexClient",
    # Not in the documents: no batch limit is published for GMS v2 destinations; 100 keeps
    # one refused request small (worker/providers/apiplex/WIRE.md).
    max_batch=100,
    capabilities=Capabilities(
        # PROVIDERS.md: results come by webhook only; there is no result query and no
        # lookup of sent requests (find_sent is CannotTell).
        polling=False,
        webhooks=True,
        # gms-kg sends from Korea abroad: international numbers only.
        domestic=False,
        international=True,
        webhook_secret_header="X-Webhook-Secret",
    ),
    # Its results come only by webhook, so the local stack sets a webhook secret and points
    # the simulator at the HTTP service (scripts/stack.py).
    simulator=Simulator(
        8092, {"api_key": "sim-apiplex-key", "webhook_secret": "sim-apiplex-webhook-secret"}
    ),
)

ENTRIES: tuple[Provider, ...] = (SENS, NHN, APIPLEX)
REGISTRY: dict[str, Provider] = {entry.name: entry for entry in ENTRIES}


class UnknownProvider(LookupError):
    """No provider has that name."""


class ConfigError(ValueError):
    """A provider's settings cannot work; the message says which variable to fix."""


def provider_names() -> tuple[str, ...]:
    """Every provider's name, in registry order."""
    return tuple(REGISTRY)


def get(name: str) -> Provider:
    """The entry of `name`; UnknownProvider lists the known ones."""
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(REGISTRY)
        raise UnknownProvider(f"unknown provider {name!r}; known: {known}") from None


def settings_of(settings: Settings, name: str) -> ProviderSettings:
    """The settings block of provider `name` (BULKSMS_<NAME>__…)."""
    block: ProviderSettings = getattr(settings, get(name).settings_field)
    return block


# A campaign that lets routing choose its provider per batch (worker/domain/routing.py).
AUTO = "auto"


def pushes_only(entry: Provider) -> bool:
    """Its results come by webhook and cannot be asked for (API PLEX)."""
    can = entry.capabilities
    return can.webhooks and not (can.polling or can.sweep)


def receives_webhooks(settings: Settings, name: str) -> bool:
    """True when the provider pushes results and its webhook secret is set (so the HTTP
    service takes its calls and beat applies them)."""
    secret = settings_of(settings, name).webhook_secret
    return get(name).capabilities.webhooks and bool(secret and secret.get_secret_value())


def route_order(settings: Settings) -> list[str]:
    """Offered providers in the order `auto` campaigns prefer them: BULKSMS_ROUTING__ORDER
    where set (names not offered are left out), else the registry's order."""
    names = [entry.name for entry in offered(settings)]
    chosen = [name for name in settings.routing.order if name in names]
    return chosen or names


def offered(settings: Settings) -> list[Provider]:
    """Providers whose keys are set, in registry order; the others are not offered."""
    return [entry for entry in ENTRIES if settings_of(settings, entry.name).credentials_set()]


def batch_size(settings: Settings, name: str) -> int:
    """Recipients per request for `name`: its setting, or else its largest batch."""
    entry = get(name)
    size = settings_of(settings, name).limits.batch_size or entry.max_batch
    if size > entry.max_batch:
        variable = f"BULKSMS_{entry.settings_field.upper()}__LIMITS__BATCH_SIZE"
        raise ConfigError(
            f"{variable}={size} is more than {entry.title} takes per request ({entry.max_batch})"
        )
    return size


def simulator_env(
    entry: Provider, host: str = "127.0.0.1", port: int | None = None
) -> dict[str, str]:
    """The BULKSMS_<NAME>__… variables that point a provider's client at its simulator."""
    prefix = f"BULKSMS_{entry.settings_field.upper()}__"
    env = {f"{prefix}BASE_URL": f"http://{host}:{port or entry.simulator.port}"}
    env.update({f"{prefix}{key.upper()}": value for key, value in entry.simulator.settings.items()})
    return env


def check(settings: Settings) -> None:
    """Raise ConfigError for the first offered provider whose settings cannot work."""
    deadline = timedelta(hours=settings.poll.result_deadline_hours)
    for entry in offered(settings):
        batch_size(settings, entry.name)
        # A day to spare: a result is asked for a while after its deadline passes.
        if deadline > entry.capabilities.result_history - timedelta(days=1):
            raise ConfigError(
                f"BULKSMS_POLL__RESULT_DEADLINE_HOURS={settings.poll.result_deadline_hours:g} is "
                f"past {entry.title}'s {entry.capabilities.result_history.days}-day history"
            )
