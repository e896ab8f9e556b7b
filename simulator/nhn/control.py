"""GET|POST /_sim/webhook: where the NHN simulator sends its webhooks, and with what signature."""

from simulator.core.control import error, json_object
from simulator.core.replies import Reply
from simulator.nhn.webhooks import Webhooks, WebhookTarget


def _shown(webhooks: Webhooks) -> Reply:
    target = webhooks.target
    if target is None:
        return Reply(200, {"url": None, "signature": None})
    return Reply(200, {"url": target.url, "signature": target.signature})


def _target(body: bytes) -> WebhookTarget | None:
    changes = json_object(body)
    url, signature = changes.get("url"), changes.get("signature", "")
    if url is None:
        return None
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ValueError("url must be an http(s) URL, or null to turn webhooks off")
    if not isinstance(signature, str):
        raise ValueError("signature must be a string")
    return WebhookTarget(url, signature)


def webhook_control(webhooks: Webhooks, method: str, body: bytes) -> Reply:
    """GET shows {"url", "signature"}; POST sets them ({"url": null} turns webhooks off)."""
    if method == "GET":
        return _shown(webhooks)
    if method != "POST":
        return Reply(404, {"error": f"no control endpoint {method} /_sim/webhook"})
    try:
        webhooks.configure(_target(body))
    except ValueError as exc:
        return error(str(exc))
    return _shown(webhooks)
