"""The NHN Cloud Notification SMS v3.0 client: appKey in the path, X-Secret-Key on every call."""

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import requests
from pydantic import SecretStr

from config.provider_settings import NhnSettings
from worker.domain.phones import split
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
from worker.providers.errors import Rejected, RetryLater, TransportError
from worker.providers.http import ProviderHttp
from worker.providers.nhn import hooks, payloads, reservations
from worker.providers.nhn.answers import PROVIDER, failure, header_of, http_error
from worker.providers.nhn.windows import MAX_PAGE_SIZE, format_time, windows

TITLE = "NHN Cloud"
# The requestor NHN records on cancelling reservations ("updateUser", required).
UPDATE_USER = "bulksms"


class NhnClient(ProviderClient):
    """NHN Cloud SMS API v3.0. Pass a `requests.Session` to change the transport."""

    name = PROVIDER

    def __init__(self, settings: NhnSettings, session: requests.Session | None = None) -> None:
        self._settings = settings
        self._http = ProviderHttp.of(PROVIDER, TITLE, settings, session)
        app_key = _secret(settings.app_key)
        self._base = settings.base_url.rstrip("/") + f"/sms/v3.0/appKeys/{app_key}"

    def upload_image(self, name: str, data: bytes) -> UploadedFile:
        """POST /attachfile/binaryUpload (API guide, "Attached Files"): fileName, createUser
        and the image in Base64; its fileId (the guide states no expiry)."""
        body = self._call("POST", "/attachfile/binaryUpload", json=payloads.upload_body(name, data))
        found = (body.get("body") or {}).get("data") or {}
        return UploadedFile(str(found["fileId"]))

    def _send(self, request: SendRequest) -> SendReceipt:
        body = self._call("POST", payloads.path(request), json=payloads.send_body(request))
        data = (body.get("body") or {}).get("data") or {}
        if not data.get("requestId"):
            # Accepted or not, we cannot tell: the caller must not count it as sent.
            raise TransportError(
                "NHN Cloud answered without a requestId", provider=PROVIDER, maybe_sent=True
            )
        if str(data.get("statusCode")) == "3" and not data.get("sendResultList"):
            # statusCode 3 "request failed": NHN took nothing out of it.
            raise RetryLater("NHN Cloud: request failed (statusCode 3)", provider=PROVIDER)
        return payloads.receipt(data)

    def result_pages(self, sent: SentRequest) -> Iterator[ResultPage]:
        """Every message of one request, 1,000 a page (GET /sender/sms|mms?requestId=…)."""
        params = {"requestId": sent.request_id}
        return self._pages(payloads.list_path(sent.message_type), params, payloads.message_result)

    def completed_pages(
        self, start: datetime, end: datetime, now: datetime
    ) -> Iterator[ResultPage]:
        """Results updated in [start, end): message-results in windows of at most one day."""
        for window in windows("update", start, end, now):
            yield from self._pages("/message-results", window.params(), payloads.update_result)

    def sweep_cost(self, start: datetime, now: datetime, load: int) -> int | None:
        """Calls a sweep of [start, now) takes for `load` results: one per window and page."""
        found = windows("update", start, now, now)
        return len(found) + max(load, 0) // MAX_PAGE_SIZE if found else None

    def find_sent(self, probe: SentProbe) -> list[str]:
        """Requests of this attempt, listed by request date, sender, recipient and our
        grouping key (GET /sender/sms|mms), with the same content; oldest first."""
        params = {
            "startRequestDate": format_time(probe.since),
            "endRequestDate": format_time(probe.until),
            "sendNo": probe.sender,
            "recipientNo": split(probe.to)[1],
            "senderGroupingKey": payloads.grouping_key(probe.batch_id, probe.attempt),
        }
        pages = self._raw_pages(payloads.list_path(probe.message_type), params)
        found = [item for page in pages for item in page if _same(item, probe.content)]
        found.sort(key=lambda item: str(item.get("requestDate") or ""))
        return list(dict.fromkeys(str(item["requestId"]) for item in found))

    def webhook_results(self, body: dict[str, Any]) -> list[MessageResult]:
        """MESSAGE_RESULT_UPDATE hooks of one webhook call (webhook.md)."""
        return hooks.results(body)

    def webhook_problem(self, body: dict[str, Any]) -> str | None:
        """The envelope webhook.md describes: an `event` and a list of `hooks`."""
        return hooks.problem(body)

    def webhook_opt_outs(self, body: dict[str, Any]) -> list[str]:
        """UNSUBSCRIBE hooks of one webhook call: numbers now on the 080 list."""
        return hooks.opted_out(body)

    def reservation_status(self, reserve_id: str) -> str:
        """The request's scheduled messages (GET /reservations?requestId=…) as one status."""
        items = self._reservations(reserve_id)
        if not items:
            raise Rejected(f"no reservation {reserve_id}", provider=PROVIDER, status=404)
        return reservations.status_of(items)

    def cancel_reservation(self, reserve_id: str) -> None:
        """PUT /reservations/cancel for every message still RESERVED; Rejected if none is."""
        seqs = [item["recipientSeq"] for item in self._reservations(reserve_id)
                if reservations.cancellable(item)]  # fmt: skip
        if not seqs:
            raise Rejected(
                f"reservation {reserve_id} has nothing left to cancel", provider=PROVIDER
            )
        body = {
            "reservationList": [{"requestId": reserve_id, "recipientSeq": s} for s in seqs],
            "updateUser": UPDATE_USER,
        }
        self._call("PUT", "/reservations/cancel", json=body)

    def opted_out_numbers(self) -> Iterator[str]:
        """The 080 opt-out list (GET /blockservice/recipients), 1,000 numbers a page."""
        for page in self._raw_pages("/blockservice/recipients", {}):
            yield from (str(i["recipientNo"]) for i in page if i.get("recipientNo"))

    def _reservations(self, reserve_id: str) -> list[dict[str, Any]]:
        params = {"requestId": reserve_id}
        return [item for page in self._raw_pages("/reservations", params) for item in page]

    def _pages(
        self, path: str, params: dict[str, Any], parse: Callable[[dict[str, Any]], Any]
    ) -> Iterator[ResultPage]:
        for index, (items, more) in enumerate(self._paged(path, params)):
            yield ResultPage([parse(item) for item in items], index, more)

    def _raw_pages(self, path: str, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
        return (items for items, _ in self._paged(path, params))

    def _paged(self, path: str, params: dict[str, Any]) -> Iterator[tuple[list[Any], bool]]:
        """Every page of a list answer (pageNum from 1) until totalCount items were read."""
        number, seen = 1, 0
        while True:
            query = {**params, "pageNum": number, "pageSize": MAX_PAGE_SIZE}
            items, total = payloads.listed(self._call("GET", path, params=query))
            seen += len(items)
            more = bool(items) and seen < total
            yield items, more
            if not more:
                return
            number += 1

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        prepared = self._http.session.prepare_request(
            requests.Request(method, self._base + path, **kwargs)
        )
        prepared.headers["X-Secret-Key"] = _secret(self._settings.secret_key)
        prepared.headers["Content-Type"] = "application/json;charset=UTF-8"
        response = self._http.transmit(prepared)
        if response.status_code >= 300:
            raise http_error(response)
        body = self._http.json(response)
        header = header_of(body)
        if header is None:
            raise TransportError(
                f"NHN Cloud answered HTTP {response.status_code} without a header",
                provider=PROVIDER,
                maybe_sent=True,
            )
        error = failure(header, response.status_code)
        if error is not None:
            raise error
        return body


def _same(item: dict[str, Any], content: str) -> bool:
    """A listed message of a request with our text (NHN lists the body it sent)."""
    return bool(item.get("requestId")) and item.get("body", content) == content


def _secret(value: SecretStr | None) -> str:
    return "" if value is None else value.get_secret_value()
