"""NHN scheduled deliveries (API v3.0 guide, "Scheduled Delivery") as one reservation status."""

from typing import Any

from worker.domain.reservations import ReservationStatus

S = ReservationStatus
# messageStatus of a scheduled message: RESERVED, SENDING, COMPLETED, FAILED, CANCEL,
# DUPLICATED, FAILED_AD, RESEND_AD.
_SENT = frozenset({"COMPLETED", "FAILED", "DUPLICATED", "FAILED_AD"})


def status_of(items: list[dict[str, Any]]) -> str:
    """The request's status from its messages: waiting while any is RESERVED."""
    states = {str(item.get("messageStatus", "")).upper() for item in items}
    if "RESERVED" in states:
        return S.READY.value
    if states <= {"CANCEL"}:
        return S.CANCELED.value
    if states - _SENT - {"CANCEL"}:
        return S.PROCESSING.value  # SENDING, RESEND_AD: not over yet
    return S.DONE.value


def cancellable(item: dict[str, Any]) -> bool:
    """Only a message still RESERVED can be cancelled (the guide, "Cancel Scheduled Delivery")."""
    return str(item.get("messageStatus", "")).upper() == "RESERVED"
