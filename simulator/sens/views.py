"""JSON renderings of a message for the list and get-one answers (seeds 003 and 004)."""

from typing import Any

from simulator import outcomes
from simulator.sens.lifecycle import Progress
from simulator.sens.store import AcceptedRequest, StoredMessage
from simulator.sens.times import format_time
from worker.domain.codes import lookup


def _result(request: AcceptedRequest, message: StoredMessage, state: Progress) -> dict[str, Any]:
    """Reception-result fields: null until COMPLETED, as seed 003 says."""
    if state.code is None or state.complete_at is None:
        keys = ("completeTime", "telcoCode", "statusCode", "statusName", "statusMessage")
        return dict.fromkeys(keys)
    return {
        "completeTime": format_time(state.complete_at),
        "telcoCode": outcomes.telco_for(request.seed, message.to),
        "statusCode": state.code,
        "statusName": "success" if state.code == "0" else "fail",
        "statusMessage": lookup("sens", state.code).title,
    }


def list_item(request: AcceptedRequest, message: StoredMessage, state: Progress) -> dict[str, Any]:
    """One entry of the list answer's `messages`."""
    item: dict[str, Any] = {
        "requestId": request.request_id,
        "campaignId": None,
        "messageId": message.message_id,
        "requestTime": format_time(request.accepted_at),
        "contentType": request.content_type.value,
        "type": request.type.value,
        "countryCode": request.country_code,
        "from": request.sender,
        "to": message.to,
        "status": state.status,
    }
    item.update(_result(request, message, state))
    return item


def detail_item(
    request: AcceptedRequest, message: StoredMessage, state: Progress
) -> dict[str, Any]:
    """The single entry of the get-one answer's `messages`."""
    item = list_item(request, message, state)
    del item["campaignId"]
    subject = message.subject if message.subject is not None else request.subject
    item["subject"] = subject or ""
    item["content"] = message.content if message.content is not None else request.content
    item["files"] = [{"fileId": file_id, "name": file_id} for file_id in request.files]
    return item
