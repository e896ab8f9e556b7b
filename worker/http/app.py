"""The FastAPI app: each provider's webhook, authenticated, validated, stored, then answered."""

import hmac
import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from config import providers
from config.settings import Settings, get_settings
from worker.db import inbox
from worker.db.engine import get_engine
from worker.http import metrics
from worker.http.bodies import BodyTooLarge, read_limited
from worker.http.writer import InboxWriter
from worker.providers.base import ProviderClient
from worker.providers.factory import make_client

log = logging.getLogger(__name__)


def create(settings: Settings | None = None) -> FastAPI:
    """The app for these settings (uvicorn calls it with none: the process settings)."""
    settings = settings or get_settings()
    writer = InboxWriter(partial(_store, settings))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await writer.close()

    app = FastAPI(title="bulksms", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)  # fmt: skip
    hooked = {e.name: make_client(settings, e.name) for e in providers.offered(settings)
              if e.capabilities.webhooks}  # fmt: skip

    scrape = metrics.registry(settings)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics")
    def prometheus() -> Response:
        # A plain def: FastAPI runs it in a thread, as its reads block.
        return Response(generate_latest(scrape), media_type=CONTENT_TYPE_LATEST)

    @app.post("/webhooks/{provider}")
    async def webhook(provider: str, request: Request) -> JSONResponse:
        client = hooked.get(provider)
        if client is None:
            # repr: the name comes from the URL, as the caller wrote it
            return _refused(repr(provider[:40]), request, 404, "no webhook for this provider")
        return await _take(settings, writer, client, request)

    return app


async def _take(
    settings: Settings, writer: InboxWriter, client: ProviderClient, request: Request
) -> JSONResponse:
    """401 without the secret, 413 over the size limit, 422 for a body the provider would
    never send; else one row, committed (with the calls that came meanwhile), then 200; 503
    when the database failed (the provider delivers it again)."""
    if not _authentic(settings, client.name, request):
        return _refused(client.name, request, 401, "missing or wrong webhook secret")
    try:
        raw = await read_limited(request, settings.service.max_body_bytes)
    except BodyTooLarge as exc:
        return _refused(client.name, request, 413, str(exc))
    problem = _problem(client, raw)
    if problem is not None:
        return _refused(client.name, request, 422, problem)
    try:
        event_id = await writer.store(client.name, raw.decode("utf-8"))
    except Exception:
        log.exception("webhook provider=%s could not be stored", client.name)
        return _answer(503, "could not be stored; deliver it again")
    log.info("webhook provider=%s stored event=%s bytes=%d", client.name, event_id, len(raw))
    return JSONResponse({"code": "0", "message": "stored", "event": event_id})


def _store(settings: Settings, rows: Sequence[tuple[str, str]]) -> list[int]:
    """One row per call, one transaction for the group (in a thread: the driver blocks)."""
    with get_engine(settings.database_url).begin() as conn:
        return inbox.add_many(conn, rows)


def _authentic(settings: Settings, provider: str, request: Request) -> bool:
    secret = providers.settings_of(settings, provider).webhook_secret
    if secret is None or not secret.get_secret_value():
        return False  # no secret configured: nothing is taken
    header = providers.get(provider).capabilities.webhook_secret_header
    given = request.headers.get(header) or request.query_params.get("secret") or ""
    return hmac.compare_digest(given.encode(), secret.get_secret_value().encode())


def _problem(client: ProviderClient, raw: bytes) -> str | None:
    """Why the body is not one this provider sends, in one line; None when it is."""
    try:
        body: Any = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        return f"body is not JSON: {exc}"
    if not isinstance(body, dict):
        return "body must be a JSON object"
    return client.webhook_problem(body)


def _refused(provider: str, request: Request, status: int, message: str) -> JSONResponse:
    """The answer to a bad call, logged in one line naming the caller (never its URL, which
    may hold a secret, nor its body, which holds phone numbers)."""
    caller = request.client.host if request.client else "?"
    log.warning("webhook provider=%s from=%s refused %d: %s", provider, caller, status, message)
    return _answer(status, message)


def _answer(status: int, message: str) -> JSONResponse:
    return JSONResponse({"code": str(status), "message": message}, status_code=status)
