"""The SENS client: signed calls with timeouts, errors mapped to ProviderError."""

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

import requests

from config.settings import SensSettings
from worker.domain.reservations import ReservationStatus
from worker.domain.signing import signature_v2
from worker.domain.windows import ListQuery, by_request_id, complete_windows
from worker.providers.base import (
    MessageResult,
    ProviderClient,
    ResultPage,
    SendReceipt,
    SendRequest,
)
from worker.providers.errors import Rejected, RetryLater, TransportError
from worker.providers.sens import payloads
from worker.providers.sens.gateway import PROVIDER, error_for

log = logging.getLogger(__name__)

# Seed 003, list delivery requests: pageSize max 1000 when asking by requestId, else 100.
REQUEST_ID_PAGE_SIZE = 1000
WINDOW_PAGE_SIZE = 100
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
        if request.reserve_time is not None:  # refused before any HTTP call
            payloads.check_reservation(request, self._clock())
        body = self._call("POST", "/messages", json=payloads.send_body(request))
        if not body.get("requestId"):
            # Accepted or not, we cannot tell: the caller must not count it as sent.
            raise TransportError(
                "SENS answered without a requestId", provider=PROVIDER, maybe_sent=True
            )
        return payloads.receipt(body)

    def results_for_request(self, request_id: str) -> Iterator[MessageResult]:
        """Every message of one request; SENS pages these up to 1000 at a time."""
        yield from self.list_messages(by_request_id(request_id, REQUEST_ID_PAGE_SIZE))

    def list_messages(self, query: ListQuery | Mapping[str, Any]) -> Iterator[MessageResult]:
        """Every message a list query matches, page after page (raw params are still taken)."""
        params = query.params() if isinstance(query, ListQuery) else dict(query)
        for page in self._pages(params):
            yield from page.results

    def pages(self, query: ListQuery) -> Iterator[ResultPage]:
        """GET /messages once per page, from pageIndex 0 until hasMore is false."""
        return self._pages(query.params())

    def result_pages(self, request_id: str) -> Iterator[ResultPage]:
        """One request's results, one page (≤ 1000) per HTTP call."""
        return self.pages(by_request_id(request_id, REQUEST_ID_PAGE_SIZE))

    def completed_pages(
        self, start: datetime, end: datetime, now: datetime
    ) -> Iterator[ResultPage]:
        """Results completed in [start, end) (clipped to 90 days and now): ≤ 24 h windows."""
        for query in complete_windows(start, end, now, WINDOW_PAGE_SIZE):
            yield from self.pages(query)

    def sweep_cost(self, start: datetime, now: datetime, load: int) -> int | None:
        """An upper bound on the calls a sweep of [start, now) takes to read `load` results.

        Each window costs max(1, ceil(n/100)) calls ≤ 1 + n // 100; results of others (or
        already read in an overlap) are not counted. None when the span is empty.
        """
        windows = complete_windows(start, now, now, WINDOW_PAGE_SIZE)
        return len(windows) + max(load, 0) // WINDOW_PAGE_SIZE if windows else None

    def _pages(self, params: Mapping[str, Any]) -> Iterator[ResultPage]:
        index = 0
        while True:
            # A 404 with an empty body comes back as {}: one empty, final page.
            body = self._call("GET", "/messages", params={**params, "pageIndex": index})
            results = [payloads.message_result(item) for item in body.get("messages") or []]
            has_more = bool(body.get("hasMore"))
            yield ResultPage(results, index, has_more)
            if not has_more:
                return
            index += 1

    def reservation_status(self, reserve_id: str) -> str:
        """Seed 003: GET /reservations/{reserveId}/reserve-status → reserveStatus."""
        body = self._call("GET", f"/reservations/{reserve_id}/reserve-status")
        status = body.get("reserveStatus")
        if not status:
            # An empty 404 (or an answer without a status): SENS knows no such reservation.
            raise Rejected(f"no reservation {reserve_id}", provider=PROVIDER, status=404)
        known = {s.value for s in ReservationStatus}
        return ReservationStatus(status) if status in known else str(status)

    def cancel_reservation(self, reserve_id: str) -> None:
        """Seed 003: DELETE /reservations/{reserveId} (204); 400 (e.g. sent) or 404: Rejected."""
        self._call("DELETE", f"/reservations/{reserve_id}")

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
