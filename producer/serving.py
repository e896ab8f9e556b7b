"""The HTTP service as `bulksms serve` runs it: the providers' webhooks (worker/http) and the
campaign API (producer/http_api.py), with its OpenAPI description."""

from fastapi import FastAPI

from producer.http_api import router
from worker.http.app import create as webhooks


def create_app() -> FastAPI:
    """One app: the webhook routes as they are, the API under /api/v1 (keys required)."""
    hooks = webhooks()
    app = FastAPI(title="bulksms", version="1", lifespan=hooks.router.lifespan_context,
                  docs_url="/docs", redoc_url=None, openapi_url="/openapi.json")  # fmt: skip
    own = ("/docs", "/openapi.json")  # the webhook app serves none; this app serves them
    app.router.routes.extend(r for r in hooks.router.routes if getattr(r, "path", "") not in own)
    app.include_router(router)
    return app
