"""Make a provider's client from its registry entry, which names the class by import path."""

from importlib import import_module

from config import providers
from config.settings import Settings
from worker.providers.base import ProviderClient


def client_class(name: str) -> type[ProviderClient]:
    """The ProviderClient subclass registered for provider `name`."""
    module, _, attribute = providers.get(name).client.partition(":")
    found = getattr(import_module(module), attribute)
    if not (isinstance(found, type) and issubclass(found, ProviderClient)):
        raise TypeError(f"{providers.get(name).client} is not a ProviderClient")
    return found


def make_client(settings: Settings, name: str) -> ProviderClient:
    """A client for `name` with its settings; ConfigError when its keys are not set."""
    entry = providers.get(name)
    block = providers.settings_of(settings, name)
    if not block.credentials_set():
        prefix = f"BULKSMS_{entry.settings_field.upper()}__"
        raise providers.ConfigError(f"{entry.title} is not configured: set its {prefix}… keys")
    client: ProviderClient = client_class(name)(block)  # type: ignore[call-arg]
    return client
