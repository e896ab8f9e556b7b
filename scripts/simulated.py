"""Provider settings that point our clients at the simulators (their default keys)."""

from collections.abc import Mapping
from typing import Any

from config import providers
from config.provider_settings import NhnSettings, ProviderSettings, SensSettings
from config.settings import Settings


def provider_settings(name: str, base_url: str, **changes: Any) -> ProviderSettings:
    """The settings block of provider `name` for its simulator at `base_url`."""
    entry = providers.get(name)
    return entry.settings_model(**{**entry.simulator.settings, "base_url": base_url, **changes})


def sens_settings(base_url: str, **changes: Any) -> SensSettings:
    """SENS settings for the SENS simulator at `base_url`."""
    block = provider_settings("sens", base_url, **changes)
    assert isinstance(block, SensSettings)
    return block


def nhn_settings(base_url: str, **changes: Any) -> NhnSettings:
    """NHN settings for the NHN simulator at `base_url`."""
    block = provider_settings("nhn", base_url, **changes)
    assert isinstance(block, NhnSettings)
    return block


def simulated_settings(urls: Mapping[str, str] | None = None, **fields: Any) -> Settings:
    """Settings (no env file) with every provider pointed at its simulator and `fields` set.

    `urls` maps a provider name to its simulator's base URL (default: its usual local port).
    """
    blocks = {
        entry.settings_field: provider_settings(
            entry.name, (urls or {}).get(entry.name, f"http://127.0.0.1:{entry.simulator.port}")
        )
        for entry in providers.ENTRIES
    }
    return Settings(_env_file=None, **{**blocks, **fields})
