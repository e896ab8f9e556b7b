"""The preview's estimates as plain functions: routing as the workers route, prices over the
defaults, send time at each provider's rate."""

from itertools import permutations, product

import pytest

from config import providers
from config.settings import Settings
from producer.pricing import cost_of, price_of, won
from producer.routes import Route
from producer.sendtime import longest, send_times
from scripts.simulated import simulated_settings
from worker.domain.routing import Need, choose

KINDS = ("SMS", "LMS", "MMS", "INTL")


@pytest.mark.parametrize("order", [list(p) for p in permutations(providers.provider_names())])
def test_auto_routes_each_type_as_the_workers_do(order: list[str]) -> None:
    settings = simulated_settings(routing={"order": order})
    for kind, advertising, reserved in product(KINDS, (False, True), (False, True)):
        need = Need(kind, advertising, reserved, international=kind == "INTL")
        expected = choose(providers.AUTO, order, need, lambda _: True)
        route = Route(providers.AUTO, advertising, reserved)
        assert route.provider_for(kind, settings) == expected, (kind, advertising, reserved)


def test_a_pinned_campaign_stays_on_its_provider() -> None:
    assert Route("nhn").provider_for("INTL", simulated_settings()) == "nhn"


def test_a_price_set_by_variable_keeps_the_other_defaults(monkeypatch) -> None:
    monkeypatch.setenv("BULKSMS_PRICES__SENS__LMS", "31")
    settings = Settings(_env_file=None)
    assert (price_of(settings, "sens", "LMS"), price_of(settings, "sens", "SMS")) == (31.0, 9.0)
    assert price_of(settings, "sens", "INTL") is None


def test_api_plex_is_priced_by_part_and_the_others_by_message() -> None:
    settings = Settings(_env_file=None)
    assert cost_of(settings, "apiplex", "INTL", 10, 25) == 25 * 80.0
    assert cost_of(settings, "nhn", "INTL", 10, 25) == 10 * 100.0
    assert cost_of(settings, None, "SMS", 10, 0) is None
    assert (won(1234567.4), won(None)) == ("₩1,234,567", "—")


def test_each_type_is_cut_into_batches_of_its_own_at_the_provider_s_rate() -> None:
    settings = simulated_settings()
    times = send_times(settings, [("sens", "SMS", 250), ("sens", "LMS", 1), ("nhn", "SMS", 10)])
    assert [(t.provider, t.recipients, t.batches) for t in times] == [
        ("sens", 251, 4),  # 3 batches of up to 100, then one LMS batch
        ("nhn", 10, 1),
    ]
    assert longest(times) == pytest.approx(4 / 10)
    assert longest([]) == 0
