"""The provider registry: every entry resolves, settings per provider, who is offered, limits,
beat and queue entries, and the spec checks that read each provider's abilities."""

import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from config import names, providers
from config.celery import beat_schedule, create_celery
from config.settings import Settings
from producer.spec import CampaignSpec
from scripts.simulated import simulated_settings
from worker.providers.base import ProviderClient
from worker.providers.factory import client_class, make_client

ENTRIES = providers.ENTRIES


@pytest.fixture(autouse=True)
def no_bulksms_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Other tests of the session point BULKSMS_* at their stacks; these read none of them."""
    for key in [k for k in os.environ if k.startswith("BULKSMS_")]:
        monkeypatch.delenv(key)


def blank(**env: str) -> Settings:
    return Settings(_env_file=None, **env)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_every_entry_names_a_client_of_its_own(entry: providers.Provider) -> None:
    found = client_class(entry.name)
    assert issubclass(found, ProviderClient) and found.name == entry.name
    assert isinstance(providers.settings_of(blank(), entry.name), entry.settings_model)
    assert entry.queue == names.send_queue(entry.name)
    assert entry.max_batch >= 1


def test_the_largest_batches_come_from_the_documents() -> None:
    assert providers.get("sens").max_batch == 100  # seed 003
    assert providers.get("nhn").max_batch == 1000  # NHN API v3.0 guide


def test_settings_per_provider_come_from_prefixed_variables(monkeypatch) -> None:
    monkeypatch.setenv("BULKSMS_NHN__APP_KEY", "app")
    monkeypatch.setenv("BULKSMS_NHN__SECRET_KEY", "s3cr3t-value")
    monkeypatch.setenv("BULKSMS_NHN__BASE_URL", "http://nhn.local")
    monkeypatch.setenv("BULKSMS_NHN__LIMITS__RATE_PER_SECOND", "7")
    settings = blank()
    assert [entry.name for entry in providers.offered(settings)] == ["nhn"]
    assert settings.nhn.base_url == "http://nhn.local"
    assert settings.nhn.limits.rate_per_second == 7
    assert settings.nhn.secret_key is not None and "s3cr3t" not in repr(settings.nhn)


def test_a_provider_whose_keys_are_not_set_is_not_offered() -> None:
    settings = blank()
    assert providers.offered(settings) == []
    with pytest.raises(providers.ConfigError, match="BULKSMS_NHN__"):
        make_client(settings, "nhn")
    assert not any(key.startswith("poll-results") for key in beat_schedule(settings))


def test_beat_polls_and_syncs_each_offered_provider() -> None:
    schedule = beat_schedule(simulated_settings())
    for entry in ENTRIES:
        assert schedule[f"poll-results-{entry.name}"]["args"] == (entry.name,)
        if entry.capabilities.opt_out_list:
            assert schedule[f"sync-opt-outs-{entry.name}"]["args"] == (entry.name,)
        else:
            assert f"sync-opt-outs-{entry.name}" not in schedule
    queues = {q.name for q in create_celery(blank()).conf.task_queues}
    assert queues == {names.QUEUE_PLAN, names.QUEUE_POLL, *(e.queue for e in ENTRIES)}


def test_send_tasks_are_routed_to_their_providers_queue() -> None:
    app = create_celery(blank())
    (route,) = app.conf.task_routes
    assert route(names.TASK_SEND_BATCH, (5, "nhn"), {}, {}) == {"queue": "send.nhn"}
    assert route(names.TASK_SEND_BATCH, (5, "sens"), {}, {}) == {"queue": "send.sens"}


def test_batch_size_defaults_to_the_largest_and_refuses_more() -> None:
    settings = simulated_settings()
    assert providers.batch_size(settings, "nhn") == 1000
    settings.nhn.limits.batch_size = 250
    assert providers.batch_size(settings, "nhn") == 250
    settings.sens.limits.batch_size = 101
    with pytest.raises(
        providers.ConfigError, match=r"BULKSMS_SENS__LIMITS__BATCH_SIZE=101 .* \(100\)"
    ):
        providers.check(settings)


def test_a_result_deadline_past_a_providers_history_is_refused() -> None:
    settings = simulated_settings(poll={"result_deadline_hours": 100 * 24})
    with pytest.raises(providers.ConfigError, match="90-day history"):
        providers.check(settings)
    providers.check(simulated_settings(poll={"result_deadline_hours": 72}))


def test_unknown_provider_names_the_known_ones() -> None:
    with pytest.raises(providers.UnknownProvider, match="known: sens, nhn, apiplex"):
        providers.get("twilio")
    with pytest.raises(ValidationError, match="known: sens, nhn, apiplex"):
        CampaignSpec(name="t", sender="0212345678", template="x", provider="twilio")


def spec(**fields: object) -> CampaignSpec:
    values: dict = {"name": "t", "sender": "0212345678", "template": "안녕하세요", **fields}
    return CampaignSpec(**values)


def test_a_spec_routes_per_batch_when_several_are_offered_or_takes_the_one_offered() -> None:
    assert spec().for_settings(simulated_settings()).provider == "auto"
    only_sens = simulated_settings(nhn=blank().nhn, apiplex=blank().apiplex)  # others unset
    assert spec().for_settings(only_sens).provider == "sens"
    assert spec(provider="auto").for_settings(simulated_settings()).provider == "auto"
    assert spec(provider="nhn").for_settings(simulated_settings()).provider == "nhn"
    with pytest.raises(ValueError, match="no provider is configured"):
        spec().for_settings(blank())
    with pytest.raises(ValueError, match="NHN Cloud Notification SMS is not configured"):
        spec(provider="nhn").for_settings(blank())


def test_a_template_holding_a_providers_markup_is_refused_for_that_provider_only() -> None:
    with pytest.raises(ValidationError, match=r"'##'.*NHN Cloud"):
        spec(template="쿠폰 ##123##", provider="nhn")
    assert spec(template="쿠폰 ##123##", provider="sens").provider == "sens"


@pytest.mark.parametrize(
    ("provider", "ahead", "error"),
    [
        ("sens", timedelta(minutes=9), "reserves at least 10 min ahead"),
        ("sens", timedelta(days=70), None),
        ("nhn", timedelta(minutes=5), None),
        ("nhn", timedelta(seconds=50), "reserves at least 1 min ahead"),
        ("nhn", timedelta(days=61), "at most 60 days ahead"),
    ],
)
def test_reservation_leads_come_from_each_providers_entry(
    provider: str, ahead: timedelta, error: str | None
) -> None:
    at = datetime.now(UTC) + ahead
    if error is None:
        assert spec(provider=provider, send_at=at, schedule_mode="reserve").send_at == at
    else:
        with pytest.raises(ValidationError, match=error):
            spec(provider=provider, send_at=at, schedule_mode="reserve")


@pytest.mark.parametrize("name", [entry.name for entry in ENTRIES])
def test_a_configured_provider_gets_a_client_of_its_own_class(name: str) -> None:
    settings = simulated_settings()
    client = make_client(settings, name)
    assert isinstance(client, client_class(name)) and client.name == name
    assert client.entry is providers.get(name)


@pytest.mark.parametrize(
    "path", ["worker.providers.errors:ProviderError", "worker.providers.factory:make_client"]
)
def test_an_entry_naming_no_provider_client_is_refused_by_its_path(
    monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    # A class of another kind, or no class at all: the operator is told which entry is wrong.
    monkeypatch.setitem(providers.REGISTRY, "nhn", replace(providers.NHN, client=path))
    with pytest.raises(TypeError) as info:
        client_class("nhn")
    assert str(info.value) == f"{path} is not a ProviderClient"
