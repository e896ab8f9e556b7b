"""Webhook payloads (webhook.md): MESSAGE_RESULT_UPDATE and UNSUBSCRIBE hooks and their envelope."""

from typing import Any

from simulator.nhn.blocklist import Entry
from simulator.nhn.lifecycle import State
from simulator.nhn.outcomes import SUCCESS
from simulator.nhn.store import Message, new_request_id
from simulator.nhn.times import format_hook_date, format_offset_date
from worker.domain.messages import MessageType

DOMAIN = "https://sms.api.nhncloudservice.com"
WEBHOOK_CONFIG_ID = "sim-webhook-config"
ENTERPRISE = "bulksms simulator"


def sender_type(message: Message) -> str:
    """senderType: webhook.md shows NORMAL_SMS only; the others are the simulator's guess."""
    prefix = "AD" if message.request.ad else "NORMAL"
    return f"{prefix}_{'SMS' if message.request.kind is MessageType.SMS else 'MMS'}"


def message_status(current: State) -> str:
    """COMPLETED (1000), FAILED (another code) or CANCEL (a canceled reservation)."""
    if current.msg_status == "4":
        return "CANCEL"
    return "COMPLETED" if current.code == SUCCESS else "FAILED"


def _self_link(message: Message, app_key: str) -> str:
    path = "sms" if message.request.kind is MessageType.SMS else "mms"
    return (
        f"{DOMAIN}/sms/v3.0/appKeys/{app_key}/sender/{path}/"
        f"{message.request.request_id}?recipientSeq={message.seq}"
    )


def result_hook(message: Message, current: State, app_key: str, now: float) -> dict[str, Any]:
    """One MESSAGE_RESULT_UPDATE hook.

    The guide's example spells "recipientGropuingKey" and "_link"; its table (followed
    here) says recipientGroupingKey and _links.self.href.
    """
    request = message.request
    return {
        "hookId": new_request_id(now),
        "senderType": sender_type(message),
        "requestId": request.request_id,
        "recipientSeq": message.seq,
        "requestDate": format_hook_date(request.send_at),
        "receiveDate": None if current.result_at is None else format_hook_date(current.result_at),
        "sendNo": request.send_no,
        "recipientNo": message.number,
        "messageStatus": message_status(current),
        "recipientGroupingKey": message.grouping_key,
        "senderGroupingKey": request.sender_grouping_key,
        "resultCode": current.code,
        "messageCount": 1,
        "_links": {"self": {"href": _self_link(message, app_key)}},
    }


def unsubscribe_hook(entry: Entry, now: float) -> dict[str, Any]:
    """One UNSUBSCRIBE hook: a recipient registered on the 080 opt-out list."""
    return {
        "hookId": new_request_id(now),
        "recipientNo": entry.recipient_no,
        "unsubscribeNo": entry.unsubscribe_no,
        "enterpriseName": ENTERPRISE,
        "createdDateTime": format_offset_date(entry.requested_at),
    }


def envelope(event: str, hooks: list[dict[str, Any]], app_key: str, now: float) -> dict[str, Any]:
    """The POSTed body: {hooksId, webhookConfigId, productName, appKey, event, hooks}."""
    return {
        "hooksId": new_request_id(now),
        "webhookConfigId": WEBHOOK_CONFIG_ID,
        "productName": "SMS",
        "appKey": app_key,
        "event": event,
        "hooks": hooks,
    }
