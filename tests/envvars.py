"""Point this process's settings at other values for a while (environment variables)."""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from config.settings import get_settings


@contextmanager
def settings_env(values: Mapping[str, str]) -> Iterator[None]:
    """Set the variables, re-read the settings, and restore both afterwards."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()
