"""Flower's login for the local stack: from settings, else generated once (0600) and reused;
given to Flower alone, in its environment, never on a command line or in a log line."""

import stat
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from config.settings import FlowerSettings, Settings
from scripts import stack
from scripts.flower_login import FlowerLogin, ensure, read_password


def test_a_password_in_the_settings_is_used_and_nothing_is_written(tmp_path: Path) -> None:
    path = tmp_path / "flower.env"
    login = ensure(path, FlowerSettings(user="ops", password=SecretStr("given-one")))
    assert login.auth() == ("ops", "given-one")
    assert login.kept_in is None
    assert not path.exists()
    assert login.where() == "from BULKSMS_FLOWER__PASSWORD"


def test_without_one_a_password_is_generated_once_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "var" / "flower.env"
    first = ensure(path, FlowerSettings())
    password = first.password.get_secret_value()
    assert first.user == "bulksms"
    assert len(password) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_password(path) == first.password
    again = ensure(path, FlowerSettings(user="ops"))
    assert again.auth() == ("ops", password)  # the user comes from the settings
    assert str(path) in again.where() and password not in again.where()
    assert password not in repr(again)


def test_a_kept_file_made_readable_by_others_is_made_private_when_written(tmp_path: Path) -> None:
    path = tmp_path / "flower.env"
    path.write_text("# nothing yet\n")
    path.chmod(0o644)
    ensure(path, FlowerSettings())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_empty_password_reads_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULKSMS_FLOWER__PASSWORD", "")
    monkeypatch.setenv("BULKSMS_FLOWER__USER", "ops")
    assert Settings(_env_file=None).flower == FlowerSettings(user="ops")


def test_a_password_with_a_comma_is_refused_without_showing_it() -> None:
    with pytest.raises(ValueError) as refused:
        FlowerLogin("ops", SecretStr("secret,part"))
    assert "secret" not in str(refused.value)
    assert "BULKSMS_FLOWER__PASSWORD" in str(refused.value)


def test_flower_alone_gets_the_login_in_its_environment() -> None:
    login = FlowerLogin("ops", SecretStr("pw-123"))
    table = stack.services(flower_login=login)
    assert table["flower"].env == {"FLOWER_BASIC_AUTH": "ops:pw-123"}
    assert all("pw-123" not in arg for arg in table["flower"].argv)
    assert all(not service.env for name, service in table.items() if name != "flower")
    assert stack.services()["flower"].env == {}
    assert "FLOWER_UNAUTHENTICATED_API" not in stack.stack_env({})


def test_a_service_starts_with_its_own_variables(tmp_path: Path) -> None:
    probe = "import os; print(os.environ['FLOWER_BASIC_AUTH'], os.environ['SHARED'])"
    service = stack.Service("probe", [sys.executable, "-c", probe], {"FLOWER_BASIC_AUTH": "a:b"})
    stack.start(service, tmp_path, {"SHARED": "yes"}).wait(timeout=30)
    assert (tmp_path / "probe.log").read_text().split() == ["a:b", "yes"]
