"""HTTP plumbing every provider client shares: timeouts, JSON answers, errors by what to do."""

from dataclasses import dataclass
from typing import Any

import requests

from config.provider_settings import ProviderSettings
from worker.providers.errors import (
    AuthFailed,
    ProviderError,
    Rejected,
    RetryLater,
    SlowDown,
    TransportError,
)

# HTTP statuses that refuse the request itself: sending it again cannot succeed.
REJECTED_STATUSES = frozenset({400, 404, 405, 409, 413, 415, 422})
AUTH_STATUSES = frozenset({401, 403})


def error_kind(status: int) -> type[ProviderError]:
    """The error class an HTTP status stands for, by what the caller should do next."""
    if status == 429:
        return SlowDown
    if status in AUTH_STATUSES:
        return AuthFailed
    if status >= 500 or status == 408:
        return RetryLater
    return Rejected


@dataclass(frozen=True, slots=True)
class ProviderHttp:
    """One provider's HTTP channel: a session (the injectable transport), timeouts, a name."""

    provider: str
    title: str
    session: requests.Session
    connect_timeout: float
    read_timeout: float

    @classmethod
    def of(
        cls, provider: str, title: str, settings: ProviderSettings, session: requests.Session | None
    ) -> "ProviderHttp":
        """The channel a client builds from its settings: its endpoint's session (or the one
        given, the injectable transport) and its timeouts."""
        chosen = session or new_session(settings.base_url)
        return cls(provider, title, chosen, settings.connect_timeout, settings.read_timeout)

    def transmit(self, prepared: requests.PreparedRequest) -> requests.Response:
        """Send one prepared request; network failures become TransportError or RetryLater."""
        try:
            return self.session.send(prepared, timeout=(self.connect_timeout, self.read_timeout))
        except requests.ConnectionError as exc:
            lost = not isinstance(exc, requests.ConnectTimeout) and _after_connect(exc)
            verb = "connection to {} lost" if lost else "cannot reach {}"
            raise self._transport(
                f"{verb.format(self.title)}: {type(exc).__name__}", lost
            ) from None
        except requests.Timeout:
            raise self._transport(f"{self.title} did not answer in time", True) from None
        except requests.RequestException as exc:
            raise RetryLater(
                f"request to {self.title} failed: {type(exc).__name__}", provider=self.provider
            ) from None

    def json(self, response: requests.Response, expect_list: bool = False) -> Any:
        """The JSON of a success answer; an unreadable one may still mean "accepted"."""
        if not response.content:
            return [] if expect_list else {}
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, list if expect_list else dict):
            raise self._transport(
                f"{self.title} answered HTTP {response.status_code} with an unreadable body", True
            )
        return body

    def _transport(self, message: str, maybe_sent: bool) -> TransportError:
        return TransportError(message, provider=self.provider, maybe_sent=maybe_sent)


def new_session(base_url: str) -> requests.Session:
    """A session for one provider whose proxy settings are read from the environment once,
    not on every call (requests otherwise re-reads them per request: measured 5 % of a send)."""
    session = requests.Session()
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    session.trust_env = False
    return session


def _after_connect(exc: requests.ConnectionError) -> bool:
    """True when the connection broke after the request may have been written."""
    text = repr(exc)
    return "RemoteDisconnected" in text or "ProtocolError" in text or "reset" in text.lower()


def short_text(response: requests.Response, limit: int = 300) -> str:
    """The start of a response body (or its reason), for error messages."""
    return (response.text or response.reason or "").strip()[:limit]
