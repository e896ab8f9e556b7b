"""Seed 003's reserved-message endpoints: GET .../reserve-status and DELETE (cancel)."""

from simulator.sens.lifecycle import reserve_status
from simulator.sens.replies import Reply, bad_request, sens_not_found
from simulator.sens.store import Store


def _unknown(reserve_id: str) -> Reply:
    return sens_not_found(f"reserveId {reserve_id!r} is not a reserved request")


def status_reply(store: Store, reserve_id: str, now: float) -> Reply:
    """GET .../reservations/{reserveId}/reserve-status: READY, DONE or CANCELED."""
    request = store.request(reserve_id)
    if request is None or request.reserve is None:
        return _unknown(reserve_id)
    return Reply(
        200,
        {
            "reserveId": request.request_id,
            "reserveTimeZone": request.reserve.zone,
            "reserveTime": request.reserve.text,
            "reserveStatus": reserve_status(request, now).value,
        },
    )


def cancel_reply(store: Store, reserve_id: str, now: float) -> Reply:
    """DELETE .../reservations/{reserveId}: 204 before the reserve time; else 400 or 404."""
    match store.cancel(reserve_id, now):
        case "canceled":
            return Reply(204, None)
        case "already_canceled":
            return bad_request(f"reservation {reserve_id} is already canceled")
        case "sent":
            return bad_request(
                f"reservation {reserve_id} cannot be canceled: its reserveTime has passed"
                " and it was sent (reserveStatus DONE)"
            )
    return _unknown(reserve_id)
