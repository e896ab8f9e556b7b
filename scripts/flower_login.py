"""Flower's login for the local stack: from settings, else a password generated once and kept."""

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from config.settings import FlowerSettings

# Where `make up` keeps the password it generated (mode 0600), relative to the repository.
FLOWER_ENV = Path("var") / "flower.env"
PASSWORD_VARIABLE = "BULKSMS_FLOWER__PASSWORD"
_HEADER = (
    "# written by `make up`: Flower's password (user: BULKSMS_FLOWER__USER); keep it private\n"
)


@dataclass(frozen=True)
class FlowerLogin:
    """A user and password for Flower's HTTP basic auth; `kept_in` is the file holding a
    generated password (None when the settings name one)."""

    user: str
    password: SecretStr
    kept_in: Path | None = None

    def __post_init__(self) -> None:
        # Flower splits its FLOWER_BASIC_AUTH on commas; the message must not show the value.
        if "," in self.password.get_secret_value():
            raise ValueError(f"{PASSWORD_VARIABLE} may not hold a comma")

    def flower_env(self) -> dict[str, str]:
        """Flower's own variable for its login: its environment, unlike its command line,
        is not shown to every user by `ps`."""
        return {"FLOWER_BASIC_AUTH": f"{self.user}:{self.password.get_secret_value()}"}

    def auth(self) -> tuple[str, str]:
        """(user, password), as `requests` takes it."""
        return self.user, self.password.get_secret_value()

    def where(self) -> str:
        """Where the password comes from, for a log line (never the password itself)."""
        return f"in {self.kept_in}" if self.kept_in else f"from {PASSWORD_VARIABLE}"


def ensure(path: Path, settings: FlowerSettings) -> FlowerLogin:
    """The settings' login; without a password, the one kept in `path`, which is generated
    there on first use."""
    if settings.password is not None:
        return FlowerLogin(settings.user, settings.password)
    kept = read_password(path)
    if kept is None:
        kept = SecretStr(secrets.token_urlsafe(24))
        write_password(path, kept)
    return FlowerLogin(settings.user, kept, path)


def read_password(path: Path) -> SecretStr | None:
    """The password kept in `path`, or None without one."""
    if not path.exists():
        return None
    for line in path.read_text("utf-8").splitlines():
        name, _, value = line.partition("=")
        if name.strip() == PASSWORD_VARIABLE and value.strip():
            return SecretStr(value.strip())
    return None


def write_password(path: Path, password: SecretStr) -> None:
    """Keep `password` in `path`, readable by its owner only (0600, even if it existed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(f"{_HEADER}{PASSWORD_VARIABLE}={password.get_secret_value()}\n")
