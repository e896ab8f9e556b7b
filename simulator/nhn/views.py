"""JSON renderings of a message: list/get items, message-results items, reservation items."""

from typing import Any

from simulator.nhn import outcomes
from simulator.nhn.lifecycle import STATUS_NAMES, State, reservation_status, update_at
from simulator.nhn.recipients import KOREA
from simulator.nhn.store import Message
from simulator.nhn.times import format_date
from worker.domain.codes import lookup
from worker.domain.messages import MessageType


def send_type(kind: MessageType) -> str:
    """sendType: "0" SMS, "1" LMS/MMS (the guide's "0:Sms, 1:Lms/Mms, 2:Auth")."""
    return "0" if kind is MessageType.SMS else "1"


def code_name(code: str) -> str:
    """resultCodeName: 성공 for 1000, as the guide's examples; else the catalogue's title."""
    return "성공" if code == outcomes.SUCCESS else lookup("nhn", code, "reception").title


def _telecom(message: Message, current: State) -> dict[str, Any]:
    if current.code is None or message.country != KOREA:
        return {"telecomCode": None, "telecomCodeName": None}
    code, name = outcomes.telecom_for(message.request.profile.seed, message.number)
    return {"telecomCode": code, "telecomCodeName": name}


def _dlr(message: Message, current: State) -> dict[str, str] | None:
    """International messages only: their delivery report, once completed."""
    if current.code is None or message.country == KOREA:
        return None
    dlr = outcomes.dlr_for(message.request.profile.seed, message.number, current.code)
    return {"dlrStatus": dlr.status, "networkCode": dlr.network_code, "errorCode": dlr.error_code}


def _result(message: Message, current: State) -> dict[str, Any]:
    done = current.code is not None and current.result_at is not None
    return {
        "resultDate": format_date(current.result_at) if done else None,  # type: ignore[arg-type]
        "msgStatus": current.msg_status,
        "msgStatusName": STATUS_NAMES[current.msg_status],
        "resultCode": current.code,
        "resultCodeName": code_name(current.code) if current.code else None,
        **_telecom(message, current),
        "resultMessage": "" if current.code is None else code_name(current.code),
    }


def _long(message: Message) -> dict[str, Any]:
    return {
        "title": message.title,
        "attachFileList": [f.view() for f in message.request.files],
    }


def list_item(message: Message, current: State) -> dict[str, Any]:
    """One entry of GET /sender/sms (or /sender/mms) body.data, with the guide's fields."""
    request = message.request
    item: dict[str, Any] = {
        "requestId": request.request_id,
        "requestDate": format_date(request.send_at),
        "templateId": None,
        "templateName": None,
        "categoryId": None,
        "categoryName": None,
        "body": message.body,
        "sendNo": request.send_no,
        "countryCode": message.country,
        "recipientNo": message.number,
    }
    item.update(_result(message, current))
    if request.kind is not MessageType.SMS:
        item.update(_long(message))
    item.update(
        recipientSeq=message.seq,
        sendType=send_type(request.kind),
        messageType=request.kind.value,
        messageCount=1,
        userId=None,
        adYn="Y" if request.ad else "N",
        senderGroupingKey=request.sender_grouping_key,
        recipientGroupingKey=message.grouping_key,
        dlr=_dlr(message, current),
    )
    return item


def detail_item(message: Message, current: State) -> dict[str, Any]:
    """GET /sender/sms/{requestId}?recipientSeq=N body.data: the list item plus originCode."""
    return {**list_item(message, current), "originCode": None}


def update_item(message: Message, current: State) -> dict[str, Any]:
    """One entry of GET /message-results (a completed message)."""
    request = message.request
    assert current.result_at is not None and current.code is not None
    telecom = _telecom(message, current)
    return {
        "messageType": request.kind.value,
        "requestId": request.request_id,
        "recipientSeq": message.seq,
        "resultCode": current.code,
        "resultCodeName": code_name(current.code),
        "requestDate": format_date(request.send_at),
        "resultDate": format_date(current.result_at),
        "updateDate": format_date(update_at(message, current.result_at)),
        # This answer's table types telecomCode as a String (the list answers: Integer).
        "telecomCode": None if telecom["telecomCode"] is None else str(telecom["telecomCode"]),
        "telecomCodeName": telecom["telecomCodeName"],
        "senderGroupingKey": request.sender_grouping_key,
        "recipientGroupingKey": message.grouping_key,
    }


def reservation_item(message: Message, now: float) -> dict[str, Any]:
    """One entry of GET /reservations (and the body.data of a single reservation)."""
    request = message.request
    canceled = message.canceled_at
    return {
        "requestId": request.request_id,
        "recipientSeq": message.seq,
        "requestDate": format_date(request.send_at),
        "sendNo": request.send_no,
        "recipientNo": message.number,
        "countryCode": message.country,
        "sendType": send_type(request.kind),
        "messageType": request.kind.value,
        "adYn": "Y" if request.ad else "N",
        "templateId": None,
        "templateParameter": message.parameters,
        "templateName": None,
        "title": message.title,
        "body": message.body,
        "messageStatus": reservation_status(message, now),
        "createUser": None,
        "createDate": format_date(request.created_at),
        "updateDate": None if canceled is None else format_date(canceled),
        "attachFileList": [f.view() for f in request.files],
    }
