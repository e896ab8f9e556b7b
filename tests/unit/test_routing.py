"""Routing rules as plain functions: a pinned campaign stays, `auto` takes the first able and
healthy provider, failover skips the sick one and those that cannot carry the batch."""

from dataclasses import replace
from types import SimpleNamespace

from config import providers
from worker.domain.routing import AUTO, Need, able, choose, need_of, next_after, unwatched

ORDER = ["sens", "nhn"]
SMS = Need("SMS")


def healthy_but(*sick: str):
    return lambda name: name not in sick


def test_a_pinned_campaign_stays_on_its_provider_even_when_it_is_sick() -> None:
    assert choose("sens", ORDER, SMS, healthy_but("sens")) == "sens"
    assert choose("nhn", ORDER, SMS, healthy_but()) == "nhn"


def test_auto_takes_the_first_healthy_provider_in_order() -> None:
    assert choose(AUTO, ORDER, SMS, healthy_but()) == "sens"
    assert choose(AUTO, ORDER, SMS, healthy_but("sens")) == "nhn"
    assert choose(AUTO, ["nhn", "sens"], SMS, healthy_but()) == "nhn"


def test_when_every_provider_is_sick_auto_waits_for_the_first() -> None:
    assert choose(AUTO, ORDER, SMS, healthy_but("sens", "nhn")) == "sens"


def test_a_provider_is_able_only_for_what_its_capabilities_say() -> None:
    sens = providers.get("sens")
    bare = replace(sens.capabilities, mms=False, ad=False, reservations=False)
    plain = replace(sens, capabilities=replace(bare, international=False))
    assert able(sens, Need("MMS", advertising=True, reserved=True))
    assert able(plain, SMS)
    assert not able(plain, Need("MMS"))
    assert not able(plain, Need("SMS", advertising=True))
    assert not able(plain, Need("SMS", reserved=True))
    assert not able(plain, Need("SMS", international=True))


def test_failover_goes_to_the_next_able_healthy_provider_or_nowhere() -> None:
    assert next_after("sens", ORDER, SMS, healthy_but("sens")) == "nhn"
    assert next_after("sens", ORDER, SMS, healthy_but("sens", "nhn")) is None
    assert next_after("nhn", ORDER, SMS, healthy_but("nhn")) == "sens"
    assert next_after("sens", ["sens"], SMS, healthy_but("sens")) is None


INTL = Need("INTL", international=True)
EVERY = ["sens", "nhn", "apiplex"]


def test_international_batches_prefer_a_provider_that_sends_abroad_only() -> None:
    assert choose(AUTO, EVERY, INTL, healthy_but()) == "apiplex"
    assert choose(AUTO, EVERY, INTL, healthy_but("apiplex")) == "nhn"  # NHN: a code each
    assert choose(AUTO, ["sens"], INTL, healthy_but()) is None  # SENS: one code a request
    assert choose(AUTO, EVERY, SMS, healthy_but()) == "sens"  # API PLEX takes no Korean
    assert choose(AUTO, ["apiplex"], SMS, healthy_but()) is None
    assert next_after("apiplex", EVERY, INTL, healthy_but("apiplex")) == "nhn"


def test_a_batch_needs_what_its_campaign_and_message_type_say() -> None:
    ad = SimpleNamespace(content_type="AD", schedule_mode="reserve")
    assert need_of(ad, "INTL") == Need("INTL", advertising=True, reserved=True, international=True)
    plain = SimpleNamespace(content_type="COMM", schedule_mode="now")
    assert need_of(plain, "MMS") == Need("MMS", advertising=False, reserved=False)


def test_a_campaign_without_content_type_or_schedule_asks_for_nothing_special() -> None:
    assert need_of(object(), "SMS") == Need("SMS", advertising=False, reserved=False)


def test_international_batches_keep_the_order_among_providers_that_also_send_at_home(
    monkeypatch,
) -> None:
    sens = providers.get("sens")
    abroad_too = replace(sens, capabilities=replace(sens.capabilities, international=True))
    monkeypatch.setitem(providers.REGISTRY, "sens", abroad_too)
    assert choose(AUTO, EVERY, INTL, healthy_but("apiplex")) == "sens"
    assert next_after("apiplex", EVERY, INTL, healthy_but("apiplex")) == "sens"


def test_routing_without_health_still_asks_what_the_campaign_needs(monkeypatch) -> None:
    sens = providers.get("sens")
    no_ads = replace(sens, capabilities=replace(sens.capabilities, ad=False))
    monkeypatch.setitem(providers.REGISTRY, "sens", no_ads)
    ad = SimpleNamespace(provider=AUTO, content_type="AD")
    assert unwatched(ad, "SMS") == "nhn"  # SENS cannot carry an advertisement here
    assert unwatched(SimpleNamespace(provider=AUTO, content_type="COMM"), "SMS") == "sens"
    assert unwatched(SimpleNamespace(provider="sens", content_type="AD"), "SMS") == "sens"
