"""A provider's session reads its proxy from the environment once, for its own endpoint, and
never again per call (NO_PROXY honoured; .netrc and the rest of the environment ignored)."""

import pytest

from config.provider_settings import SensSettings
from worker.providers.http import ProviderHttp, new_session

PROXY = "http://proxy.example:3128"


@pytest.fixture(autouse=True)
def _proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy",
                 "https_proxy", "all_proxy", "no_proxy"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", PROXY)
    monkeypatch.setenv("NO_PROXY", "sens.internal")


def test_the_proxy_of_the_providers_endpoint_is_taken_once() -> None:
    session = new_session("https://sens.apigw.ntruss.com")
    assert session.proxies.get("https") == PROXY
    assert session.trust_env is False  # not re-read (nor .netrc) on every call


def test_an_endpoint_listed_in_no_proxy_goes_direct() -> None:
    assert new_session("https://sens.internal").proxies == {}


def test_a_client_without_a_session_of_its_own_gets_its_endpoints() -> None:
    settings = SensSettings(base_url="https://sens.internal", service_id="s")
    assert ProviderHttp.of("sens", "SENS", settings, None).session.proxies == {}
    settings = SensSettings(base_url="https://sens.apigw.ntruss.com", service_id="s")
    assert ProviderHttp.of("sens", "SENS", settings, None).session.proxies.get("https") == PROXY
