"""The SENS client: signed calls with timeouts, errors mapped to ProviderError."""

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import requests

from config.settings import SensSettings
from worker.domain.signing import signature_v2
from worker.providers.base import MessageResult, ProviderClient, SendReceipt, SendRequest
from worker.providers.errors import RetryLater, TransportError
from worker.providers.sens import payloads
from worker.providers.sens.gateway import PROVIDER, error_for

log = logging.getLogger(__name__)

# Seed 003, list delivery requests: pageSize max 1000 when asking by requestId.
REQUEST_ID_PAGE_SIZE = 1000
# Seed 003, 080 call block numbers: pageSize at most 100.
UNSUBSCRIBE_PAGE_SIZE = 100


class SensClient(ProviderClient):
    """NAVER Cloud SENS SMS API v2. Pass a `requests.Session` to change the transport."""

    name = PROVIDER
    # Seed 003, "Send message": `messages` holds up to 100 recipients.
    max_batch = 100

    def __init__(
        self,
        settings: SensSettings,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._session = session or requests.Session()
        self._clock = clock
        self._base = settings.base_url.rstrip("/") + f"/sms/v2/services/{settings.service_id}"

    def _send(self, request: SendRequest) -> SendReceipt:
        body = self._call("POST", "/messages", json=payloads.send_body(request))
        if not body.get("requestId"):
            # Accepted or not, we cannot tell: the caller must not count it as sent.
            raise TransportError(
                "SENS answered without a requestId", provider=PROVIDER, maybe_sent=True
            )
        return payloads.receipt(body)

    def results_for_request(self, request_id: str) -> Iterator[MessageResult]:
        """Every message of one request; SENS pages these up to 1000 at a time."""
        yield from self.list_messages({"requestId": request_id, "pageSize": REQUEST_ID_PAGE_SIZE})

    def list_messages(self, params: dict[str, Any]) -> Iterator[MessageResult]:
        """GET /messages with `params`, following pageIndex until hasMore is false."""
        page = 0
        while True:
            body = self._call("GET", "/messages", params={**params, "pageIndex": page})
            for item in body.get("messages") or []:
                yield payloads.message_result(item)
            if not body.get("hasMore"):
                return
            page += 1

    def result_for_message(self, message_id: str) -> MessageResult | None:
        """GET /messages/{messageId}; None when SENS does not know the id."""
        body = self._call("GET", f"/messages/{message_id}")
        items = body.get("messages") or []
        if not items:
            return None
        # Seed 003's single-message answer carries no messageId: we know which one we asked.
        return payloads.message_result({"messageId": message_id, **items[0]})

    def opted_out_numbers(self) -> Iterator[str]:
        """The 080 call-block list, page by page (seed 003: GET /unsubscribes, ≤100 a page)."""
        page = 0
        while True:
            params = {"pageSize": UNSUBSCRIBE_PAGE_SIZE, "pageIndex": page}
            entries = self._call_list("/unsubscribes", params)
            yield from (str(e["clientTelNo"]) for e in entries if e.get("clientTelNo"))
            if len(entries) < UNSUBSCRIBE_PAGE_SIZE:
                return
            page += 1

    def _call_list(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """A GET whose answer is a bare JSON list (the 080 endpoints)."""
        body = self._call("GET", path, params=params, expect_list=True)
        return body if isinstance(body, list) else []

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        expect_list = kwargs.pop("expect_list", False)
        prepared = self._session.prepare_request(
            requests.Request(method, self._base + path, **kwargs)
        )
        self._sign(prepared)
        response = self._transmit(prepared)
        if response.status_code == 404 and method == "GET" and not response.content:
            # PROVIDERS.md: a list matching nothing may answer 404 with an empty body.
            return {}
        if response.status_code >= 300:
            raise error_for(response)
        return _json_body(response, expect_list)

    def _sign(self, prepared: requests.PreparedRequest) -> None:
        timestamp = str(int(self._clock() * 1000))
        access = self._settings.access_key.get_secret_value()
        secret = self._settings.secret_key.get_secret_value()
        uri = prepared.path_url  # exactly the path and query that go on the wire
        prepared.headers["x-ncp-apigw-timestamp"] = timestamp
        prepared.headers["x-ncp-iam-access-key"] = access
        prepared.headers["x-ncp-apigw-signature-v2"] = signature_v2(
            str(prepared.method), uri, timestamp, access, secret
        )
        if prepared.body is not None:
            prepared.headers["Content-Type"] = "application/json; charset=utf-8"

    def _transmit(self, prepared: requests.PreparedRequest) -> requests.Response:
        timeout = (self._settings.connect_timeout, self._settings.read_timeout)
        try:
            return self._session.send(prepared, timeout=timeout)
        except requests.ConnectionError as exc:
            if isinstance(exc, requests.ConnectTimeout) or not _after_connect(exc):
                raise TransportError(
                    f"cannot reach SENS: {type(exc).__name__}", provider=PROVIDER, maybe_sent=False
                ) from None
            raise TransportError(
                f"connection to SENS lost: {type(exc).__name__}", provider=PROVIDER, maybe_sent=True
            ) from None
        except requests.Timeout:
            raise TransportError(
                "SENS did not answer in time", provider=PROVIDER, maybe_sent=True
            ) from None
        except requests.RequestException as exc:
            raise RetryLater(
                f"request to SENS failed: {type(exc).__name__}", provider=PROVIDER
            ) from None


def _json_body(response: requests.Response, expect_list: bool = False) -> Any:
    """The JSON of a success answer; an unreadable one may still mean "accepted"."""
    if not response.content:
        return {}
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, list if expect_list else dict):
        raise TransportError(
            f"SENS answered HTTP {response.status_code} with an unreadable body",
            provider=PROVIDER,
            maybe_sent=True,
        )
    return body


def _after_connect(exc: requests.ConnectionError) -> bool:
    """True when the connection broke after the request may have been written."""
    text = repr(exc)
    return "RemoteDisconnected" in text or "ProtocolError" in text or "reset" in text.lower()
