"""GET|POST /_sim/webhook: where the API PLEX simulator posts its result records."""

from simulator.apiplex.webhooks import Webhooks
from simulator.core.control import error, json_object
from simulator.core.replies import Reply


def webhook_url(value: object) -> str | None:
    """`value` as a webhook URL (None turns webhooks off); ValueError if not http(s)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise ValueError("url must be an http(s) URL, or null to turn webhooks off")
    return value


def webhook_control(webhooks: Webhooks, method: str, body: bytes) -> Reply:
    """GET shows {"url"}; POST {"url": "..."} sets it ({"url": null} turns webhooks off)."""
    if method == "POST":
        try:
            webhooks.configure(webhook_url(json_object(body).get("url")))
        except ValueError as exc:
            return error(str(exc))
    elif method != "GET":
        return Reply(404, {"error": f"no control endpoint {method} /_sim/webhook"})
    return Reply(200, {"url": webhooks.url})
