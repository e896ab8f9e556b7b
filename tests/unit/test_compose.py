"""docker-compose.yml: its services run commands that exist, the same ones scripts/stack.py runs."""

import importlib
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from typer.testing import CliRunner

from config import providers
from scripts.stack import simulator_name

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
PYPROJECT = ROOT / "pyproject.toml"

INFRA = {"redis", "postgres", "rabbitmq"}
SIMULATORS = {simulator_name(entry.name): entry for entry in providers.ENTRIES}
APP = {"migrate", "worker", "beat", "flower", "serve", *SIMULATORS}
CELERY_APP = "worker.tasks.app"
SHARED_ENV = {
    "BULKSMS_DATABASE_URL": "postgresql+psycopg://postgres:postgres@postgres:5432/bulksms",
    "BULKSMS_BROKER_URL": "redis://redis:6379/0",
    "BULKSMS_REDIS_URL": "redis://redis:6379/0",
}
# Every provider of the registry is pointed at its simulator service with its keys.
for _name, _entry in SIMULATORS.items():
    SHARED_ENV.update(providers.simulator_env(_entry, host=_name))
# Options whose values differ between a container and a local run (bind address, port,
# schedule file, node name); everything else must match scripts/stack.py.
VALUE_OPTIONS = {"--host", "--port", "--schedule", "-n", "--hostname", "--webhook-url"}
VALUE_PREFIXES = ("--address=", "--port=")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text("utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def scripts() -> dict[str, str]:
    return tomllib.loads(PYPROJECT.read_text("utf-8"))["project"]["scripts"]


def argv(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else [str(a) for a in command]


def environment(service: dict[str, Any], shell: dict[str, str] | None = None) -> dict[str, str]:
    """A service's environment as compose passes it, `shell` holding the caller's variables."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: interpolate(str(value), shell or {}) for key, value in env.items()}


def interpolate(value: str, shell: dict[str, str]) -> str:
    """`value` as compose reads it: ${NAME:-default} from the shell (or ./.env), else default."""
    return re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: shell.get(m.group(1)) or m.group(2), value)


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def comparable(args: list[str]) -> list[str]:
    """`args` without the options whose values legitimately differ."""
    kept: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in VALUE_OPTIONS:
            skip = True
        elif not arg.startswith(VALUE_PREFIXES):
            kept.append(arg)
    return kept


def test_service_set(services: dict[str, Any]) -> None:
    assert set(services) == INFRA | APP


def test_images(services: dict[str, Any]) -> None:
    assert services["redis"]["image"].split(":") == ["redis", "7"]
    assert services["postgres"]["image"].split(":") == ["postgres", "16"]
    assert services["rabbitmq"]["image"].split(":")[0] == "rabbitmq"
    for name in APP:
        assert services[name]["build"] == ".", name


def test_postgres_database_and_healthchecks(services: dict[str, Any]) -> None:
    postgres = services["postgres"]
    env = environment(postgres)
    assert env["POSTGRES_DB"] == "bulksms"
    assert (
        env.get("POSTGRES_PASSWORD") == "postgres"
        or env.get("POSTGRES_HOST_AUTH_METHOD") == "trust"
    )
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert "ping" in services["redis"]["healthcheck"]["test"]


def test_shared_environment(services: dict[str, Any]) -> None:
    for name in APP:
        env = environment(services[name])
        assert {k: env.get(k) for k in SHARED_ENV} == SHARED_ENV, name


def test_shared_environment_is_read_by_settings(
    services: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from config.settings import Settings

    for key, value in environment(services["worker"]).items():
        monkeypatch.setenv(key, value)
    settings = Settings(_env_file=None)
    assert settings.database_url == SHARED_ENV["BULKSMS_DATABASE_URL"]
    assert settings.broker_url == "redis://redis:6379/0"
    assert settings.redis_url == "redis://redis:6379/0"
    assert [entry.name for entry in providers.offered(settings)] == list(providers.REGISTRY)
    for name, entry in SIMULATORS.items():
        block = providers.settings_of(settings, entry.name)
        assert block.base_url == f"http://{name}:{entry.simulator.port}"


def test_rabbitmq_is_optional_and_its_url_reaches_it(
    compose: dict[str, Any], services: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from config.broker import is_redis
    from config.celery import create_celery
    from config.settings import Settings

    rabbitmq = services["rabbitmq"]
    assert rabbitmq["profiles"] == ["rabbitmq"]  # `docker compose up` starts Redis only
    assert "check_port_connectivity" in rabbitmq["healthcheck"]["test"]
    assert "/var/lib/rabbitmq" in " ".join(rabbitmq["volumes"])
    for name in APP:  # nothing waits for a service that may not run
        assert "rabbitmq" not in (services[name].get("depends_on") or {}), name
    url = urlsplit(compose["x-rabbitmq-broker-url"])
    env = environment(rabbitmq)
    assert (url.scheme, url.hostname, url.port) == ("amqp", "rabbitmq", 5672)
    assert (url.username, url.password) == (
        env["RABBITMQ_DEFAULT_USER"],
        env["RABBITMQ_DEFAULT_PASS"],
    )
    assert url.username != "guest"  # RabbitMQ lets guest in from localhost only
    monkeypatch.setenv("BULKSMS_BROKER_URL", compose["x-rabbitmq-broker-url"])
    settings = Settings(_env_file=None)
    assert not is_redis(settings.broker_url)
    assert create_celery(settings).conf.broker_transport_options == {}


@pytest.mark.parametrize(
    "shell",
    [{}, {"BULKSMS_FLOWER__USER": "ops", "BULKSMS_FLOWER__PASSWORD": "s3cret-Long_one"}],
    ids=["placeholder", "set-in-shell"],
)
def test_flower_logs_in_with_the_apps_login(
    services: dict[str, Any], shell: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from config.settings import Settings

    app = environment(services["flower"], shell)
    for key in ("BULKSMS_FLOWER__USER", "BULKSMS_FLOWER__PASSWORD"):
        monkeypatch.setenv(key, app[key])
    login = Settings(_env_file=None).flower
    assert login.password is not None
    user, password = login.user, login.password.get_secret_value()
    assert (user, password) == (shell.get("BULKSMS_FLOWER__USER", "bulksms"),
                                shell.get("BULKSMS_FLOWER__PASSWORD", "change-me"))  # fmt: skip
    assert app["FLOWER_BASIC_AUTH"] == f"{user}:{password}"
    assert password not in " ".join(argv(services["flower"]))  # `ps` shows a command line


def test_flower_login_only_on_flower_and_its_api_never_open(services: dict[str, Any]) -> None:
    for name in APP:
        env = environment(services[name])
        assert "FLOWER_UNAUTHENTICATED_API" not in env, name
        assert {"BULKSMS_FLOWER__USER", "BULKSMS_FLOWER__PASSWORD"} <= set(env), name
        assert ("FLOWER_BASIC_AUTH" in env) == (name == "flower"), name
    assert "5555:5555" in " ".join(services["flower"]["ports"])


def test_readme_says_to_change_the_placeholder(services: dict[str, Any]) -> None:
    placeholder = environment(services["flower"])["BULKSMS_FLOWER__PASSWORD"]
    readme = (ROOT / "README.md").read_text("utf-8")
    assert f"`{placeholder}`" in readme
    assert "BULKSMS_FLOWER__PASSWORD" in readme


def test_start_order(services: dict[str, Any]) -> None:
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("worker", "beat", "flower"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["redis"]["condition"] == "service_healthy", name
        assert depends["postgres"]["condition"] == "service_healthy", name


def test_migrate_runs_once(services: dict[str, Any]) -> None:
    assert services["migrate"].get("restart", "no") == "no"


# --- the commands exist --------------------------------------------------------------------


def test_console_scripts_exist_and_import(scripts: dict[str, str]) -> None:
    for name in ("bulksms", "bulksms-simulator"):
        module_name, _, attribute = scripts[name].partition(":")
        target = getattr(importlib.import_module(module_name), attribute)
        assert callable(target), name


def test_every_app_command_starts_with_a_real_entry_point(
    services: dict[str, Any], scripts: dict[str, str]
) -> None:
    for name in APP:
        args = argv(services[name])
        executable = args[0]
        if executable == "celery":
            assert args[1:3] == ["-A", CELERY_APP], name
            module = importlib.import_module(CELERY_APP)
            assert hasattr(module, "app"), name
        else:
            assert executable in scripts, f"{name}: {executable} is not in [project.scripts]"
            module_name, _, attribute = scripts[executable].partition(":")
            assert callable(getattr(importlib.import_module(module_name), attribute)), name


def test_worker_queues_are_the_celery_apps_queues(services: dict[str, Any]) -> None:
    app = importlib.import_module(CELERY_APP).app
    configured = {queue.name for queue in app.conf.task_queues}
    queues = option(argv(services["worker"]), "-Q").split(",")
    assert len(queues) == len(set(queues))
    assert set(queues) == configured


def test_migrate_runs_bulksms_db_upgrade(services: dict[str, Any]) -> None:
    assert argv(services["migrate"]) == ["bulksms", "db", "upgrade"]
    from producer.cli import app

    result = CliRunner().invoke(app, ["db", "upgrade", "--help"])
    assert result.exit_code == 0, result.output
    assert "upgrade" in result.output.lower()


@pytest.mark.parametrize("name", sorted(SIMULATORS))
def test_simulator_listens_on_all_interfaces_at_the_base_url_port(
    services: dict[str, Any], name: str
) -> None:
    from simulator.__main__ import build_parser

    entry = SIMULATORS[name]
    args = argv(services[name])
    parsed = build_parser().parse_args(args[1:])
    assert parsed.provider == entry.name
    assert parsed.host == "0.0.0.0"
    assert parsed.port == entry.simulator.port
    assert f":{parsed.port}" in " ".join(services[name]["ports"])
    assert str(parsed.port) in services[name]["healthcheck"]["test"]
    assert services["worker"]["depends_on"][name]["condition"] == "service_healthy"


def test_flower_and_beat_options(services: dict[str, Any]) -> None:
    flower = argv(services["flower"])
    assert "--address=0.0.0.0" in flower
    assert "--port=5555" in flower
    beat = argv(services["beat"])
    assert option(beat, "--schedule") == "/tmp/celerybeat-schedule"


# --- the same commands as scripts/stack.py -------------------------------------------------


@pytest.mark.parametrize("name", ["worker", "beat", "flower", "serve", *sorted(SIMULATORS)])
def test_commands_match_scripts_stack(services: dict[str, Any], name: str) -> None:
    from scripts.stack import services as stack_services

    local = stack_services()[name].argv
    container = argv(services[name])
    assert Path(local[0]).name == container[0]
    assert comparable(container[1:]) == comparable(local[1:])
    if "-Q" in local:
        assert option(container, "-Q") == option(local, "-Q")


@pytest.mark.parametrize("name", sorted(SIMULATORS))
def test_a_simulator_that_only_pushes_posts_to_the_service_with_the_apps_secret(
    services: dict[str, Any], name: str
) -> None:
    from urllib.parse import parse_qs, urlsplit

    entry, args = SIMULATORS[name], argv(services[name])
    if not providers.pushes_only(entry):
        assert "--webhook-url" not in args
        return
    url = urlsplit(option(args, "--webhook-url"))
    assert (url.hostname, url.port, url.path) == ("serve", 8000, f"/webhooks/{entry.name}")
    variable = f"BULKSMS_{entry.settings_field.upper()}__WEBHOOK_SECRET"
    assert parse_qs(url.query) == {"secret": [SHARED_ENV[variable]]}
    assert environment(services["serve"])[variable] == SHARED_ENV[variable]


def test_comparable_drops_only_the_varying_values() -> None:
    assert comparable(["beat", "--schedule", "/x", "--loglevel", "INFO"]) == [
        "beat",
        "--loglevel",
        "INFO",
    ]
    assert comparable(["flower", "--address=0.0.0.0", "--port=1"]) == ["flower"]
    assert comparable(["worker", "-Q", "a", "-n", "w@%h"]) == ["worker", "-Q", "a"]
