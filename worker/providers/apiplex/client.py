"""The API PLEX GMS v2 client: one POST per batch with our API key; results come by webhook."""

from collections.abc import Iterator
from typing import Any

import requests
from pydantic import SecretStr

from config.provider_settings import ApiplexSettings
from worker.providers.apiplex import payloads
from worker.providers.apiplex.answers import PROVIDER, TITLE, http_error
from worker.providers.base import (
    CannotTell,
    MessageResult,
    ProviderClient,
    ResultPage,
    SendReceipt,
    SendRequest,
    SentProbe,
    SentRequest,
)
from worker.providers.errors import TransportError
from worker.providers.http import ProviderHttp


class ApiplexClient(ProviderClient):
    """API PLEX Global Message (GMS v2). Pass a `requests.Session` to change the transport."""

    name = PROVIDER

    def __init__(self, settings: ApiplexSettings, session: requests.Session | None = None) -> None:
        self._settings = settings
        self._http = ProviderHttp.of(PROVIDER, TITLE, settings, session)
        self._url = settings.base_url.rstrip("/") + payloads.send_path(settings.route)

    def _send(self, request: SendRequest) -> SendReceipt:
        payloads.check(request)  # refused before any HTTP call, as are numbers not E.164
        response = self._post(payloads.send_body(request))
        if response.status_code >= 300:
            raise http_error(response)
        body = self._http.json(response)
        if not body.get("requestId"):
            # Accepted or not, we cannot tell: the caller must not count it as sent.
            raise TransportError(
                f"{TITLE} answered HTTP {response.status_code} without a requestId",
                provider=PROVIDER,
                maybe_sent=True,
            )
        return payloads.receipt(body, request)

    def result_pages(self, sent: SentRequest) -> Iterator[ResultPage]:
        """Nothing: API PLEX has no result query, results come only by webhook. A poll round
        that asks anyway costs no call and still expires what is overdue."""
        return iter(())

    def find_sent(self, probe: SentProbe) -> list[str]:
        """Always CannotTell: API PLEX offers no lookup of sent requests, so a send whose
        answer was lost leaves its recipients `unknown` (an operator decides), by design."""
        raise CannotTell(f"{TITLE} offers no lookup of sent requests")

    def webhook_results(self, body: dict[str, Any]) -> list[MessageResult]:
        """The records of one webhook call (PROVIDERS.md: {"results": [ … ]}), each with the
        batch our echo_to_webhook key names."""
        return payloads.parse_webhook_body(body)

    def webhook_problem(self, body: dict[str, Any]) -> str | None:
        """Why a body is not the {"results": [ … ]} API PLEX posts; None when it is."""
        return payloads.webhook_problem(body)

    def probe(self) -> None:
        """A send to no destination (payloads.probe_body): 401/403, 429, 5xx and network
        errors raise as for a send; a 400 (the expected refusal) or a 2xx proves the key and
        the service. Unconfirmed: that the gateway checks the key before the body."""
        response = self._post(payloads.probe_body())
        if response.status_code >= 300 and response.status_code != 400:
            raise http_error(response)

    def _post(self, body: dict[str, Any]) -> requests.Response:
        prepared = self._http.session.prepare_request(
            requests.Request("POST", self._url, json=body)
        )
        prepared.headers.update(payloads.headers(_secret(self._settings.api_key)))
        return self._http.transmit(prepared)


def _secret(value: SecretStr | None) -> str:
    return "" if value is None else value.get_secret_value()
