"""The SENS client: signed calls with timeouts, errors mapped to ProviderError."""

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

import requests
from pydantic import SecretStr

from config.provider_settings import SensSettings
from worker.domain.reservations import ReservationStatus
from worker.domain.signing import signature_v2
from worker.domain.windows import ListQuery, by_request_id, complete_windows, format_time
from worker.providers.base import (
    MessageResult,
    ProviderClient,
    ResultPage,
    SendReceipt,
    SendRequest,
    SentProbe,
    SentRequest,
    UploadedFile,
)
from worker.providers.errors import Rejected, TransportError
from worker.providers.http import ProviderHttp
from worker.providers.sens import payloads
from worker.providers.sens.gateway import PROVIDER, error_for, file_gone

log = logging.getLogger(__name__)

TITLE = "SENS"

# Seed 003, list delivery requests: pageSize max 1000 when asking by requestId, else 100.
REQUEST_ID_PAGE_SIZE = 1000
WINDOW_PAGE_SIZE = 100
# Seed 003, 080 call block numbers: pageSize at most 100.
UNSUBSCRIBE_PAGE_SIZE = 100


class SensClient(ProviderClient):
    """NAVER Cloud SENS SMS API v2. Pass a `requests.Session` to change the transport."""

    name = PROVIDER

    def __init__(
        self,
        settings: SensSettings,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._http = ProviderHttp.of(PROVIDER, TITLE, settings, session)
        self._clock = clock
        self._base = settings.base_url.rstrip("/") + f"/sms/v2/services/{settings.service_id}"

    def _send(self, request: SendRequest) -> SendReceipt:
        if request.reserve_time is not None:  # refused before any HTTP call
            payloads.check_reservation(request, self._clock())
        try:
            body = self._call("POST", "/messages", json=payloads.send_body(request))
        except Rejected as exc:
            raise file_gone(exc, request.file_ids) or exc from None
        if not body.get("requestId"):
            # Accepted or not, we cannot tell: the caller must not count it as sent.
            raise TransportError(
                "SENS answered without a requestId", provider=PROVIDER, maybe_sent=True
            )
        return payloads.receipt(body)

    def upload_image(self, name: str, data: bytes) -> UploadedFile:
        """POST /files (seed 003, "Upload files"): the image in Base64; its fileId and
        expireTime (SENS keeps a file 6 days)."""
        body = self._call("POST", "/files", json=payloads.upload_body(name, data))
        return UploadedFile(str(body["fileId"]), payloads.parse_time(body.get("expireTime")))

    def list_messages(self, query: ListQuery | Mapping[str, Any]) -> Iterator[MessageResult]:
        """Every message a list query matches, page after page (raw params are still taken)."""
        params = query.params() if isinstance(query, ListQuery) else dict(query)
        for page in self._pages(params):
            yield from page.results

    def pages(self, query: ListQuery) -> Iterator[ResultPage]:
        """GET /messages once per page, from pageIndex 0 until hasMore is false."""
        return self._pages(query.params())

    def result_pages(self, sent: SentRequest) -> Iterator[ResultPage]:
        """One request's results, one page (≤ 1000) per HTTP call."""
        return self.pages(by_request_id(sent.request_id, REQUEST_ID_PAGE_SIZE))

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

    def find_sent(self, probe: SentProbe) -> list[str]:
        """Requests of this message: list by request-time window, `from`, `to` and type
        (seed 003), then match the content of each candidate (GET /messages/{messageId}:
        the list carries none)."""
        params = {
            "requestStartTime": format_time(probe.since),
            "requestEndTime": format_time(probe.until),
            "from": probe.sender,
            "to": probe.to,
            "type": probe.message_type,
            "pageSize": WINDOW_PAGE_SIZE,
        }
        found = [listed for listed in self.list_messages(params) if listed.to == probe.to
                 and self._content_of(listed.message_id) == probe.content]  # fmt: skip
        found.sort(key=lambda m: m.request_time or probe.since)
        return list(dict.fromkeys(m.request_id for m in found))

    def _content_of(self, message_id: str) -> str | None:
        body = self._call("GET", f"/messages/{message_id}")
        items = body.get("messages") or []
        return items[0].get("content") if items else None

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
        """A GET whose answer is a bare JSON list (the 080 endpoints): _call gives a list
        (an empty one for an empty 404) or raises."""
        return self._call("GET", path, params=params, expect_list=True)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        expect_list = kwargs.pop("expect_list", False)
        prepared = self._http.session.prepare_request(
            requests.Request(method, self._base + path, **kwargs)
        )
        self._sign(prepared)
        response = self._http.transmit(prepared)
        if response.status_code == 404 and method == "GET" and not response.content:
            # PROVIDERS.md: a list matching nothing may answer 404 with an empty body.
            return [] if expect_list else {}
        if response.status_code >= 300:
            raise error_for(response)
        return self._http.json(response, expect_list)

    def _sign(self, prepared: requests.PreparedRequest) -> None:
        timestamp = str(int(self._clock() * 1000))
        access = _secret(self._settings.access_key)
        secret = _secret(self._settings.secret_key)
        uri = prepared.path_url  # exactly the path and query that go on the wire
        prepared.headers["x-ncp-apigw-timestamp"] = timestamp
        prepared.headers["x-ncp-iam-access-key"] = access
        prepared.headers["x-ncp-apigw-signature-v2"] = signature_v2(
            str(prepared.method), uri, timestamp, access, secret
        )
        if prepared.body is not None:
            prepared.headers["Content-Type"] = "application/json; charset=utf-8"


def _secret(value: SecretStr | None) -> str:
    return "" if value is None else value.get_secret_value()
