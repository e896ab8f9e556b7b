"""NHN Cloud webhooks (webhook.md): MESSAGE_RESULT_UPDATE hooks as results, UNSUBSCRIBE hooks
as opt-outs."""

from typing import Any

from worker.providers.base import MessageResult
from worker.providers.nhn.payloads import RECEPTION, parse_time, stored_number

RESULT_EVENT = "MESSAGE_RESULT_UPDATE"
UNSUBSCRIBE_EVENT = "UNSUBSCRIBE"
# messageStatus values that carry a final reception code; CANCEL is a withdrawn reservation.
FINAL = frozenset({"COMPLETED", "FAILED"})


def problem(body: dict[str, Any]) -> str | None:
    """Why a body is not a webhook.md envelope; None when it is."""
    if not isinstance(body.get("event"), str):
        return "'event' is missing or not a string"
    hooks = body.get("hooks")
    if not isinstance(hooks, list) or not all(isinstance(h, dict) for h in hooks):
        return "'hooks' must be a list of objects"
    if body["event"] == RESULT_EVENT:
        for index, hook in enumerate(hooks):
            missing = [k for k in ("requestId", "recipientNo", "messageStatus") if k not in hook]
            if missing:
                return f"hooks[{index}] lacks {', '.join(missing)}"
    return None


def results(body: dict[str, Any]) -> list[MessageResult]:
    """The results one MESSAGE_RESULT_UPDATE call reports (none for other events)."""
    if body.get("event") != RESULT_EVENT:
        return []
    return [_result(hook) for hook in body.get("hooks") or [] if isinstance(hook, dict)]


def opted_out(body: dict[str, Any]) -> list[str]:
    """Numbers an UNSUBSCRIBE call reports as registered on the 080 opt-out list."""
    if body.get("event") != UNSUBSCRIBE_EVENT:
        return []
    return [str(h["recipientNo"]) for h in body.get("hooks") or [] if h.get("recipientNo")]


def _result(hook: dict[str, Any]) -> MessageResult:
    status = str(hook.get("messageStatus") or "")
    code = hook.get("resultCode")
    final = status in FINAL and code not in (None, "")
    return MessageResult(
        request_id=str(hook.get("requestId") or ""),
        message_id=str(hook.get("recipientSeq") or ""),
        to=stored_number(hook),
        status=status,
        code=str(code) if final else None,
        status_message=None,
        telco=None,
        complete_time=parse_time(hook.get("receiveDate")),
        request_time=parse_time(hook.get("requestDate")),
        family=RECEPTION,
    )
