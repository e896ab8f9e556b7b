"""The campaign API of the HTTP service: create, preview, watch, pause, resume, cancel,
re-send and export over HTTP, each call with an API key (`bulksms apikey create NAME`)."""

import json
import shutil
import tempfile
from dataclasses import asdict, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Header, HTTPException, UploadFile
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.background import BackgroundTask

from config.settings import get_settings
from producer.apikeys import key_name
from producer.campaigns import SpecError, create_campaign
from producer.controls import NotPausable, pause_campaign, resume_campaign
from producer.export import export_results
from producer.preview import preview_campaign
from producer.queueing import BrokerUnavailable, enqueue_cancel
from producer.records import RecordList
from producer.report import UnknownCampaign, campaign_report
from producer.resend import resend_campaign
from producer.sources import CsvSource, SourceError
from producer.spec import CampaignSpec
from worker.db.engine import get_engine

# Uploaded CSV files are copied to disk in pieces of this size (never held whole in memory).
UPLOAD_CHUNK = 1 << 20
# Campaign ids are 32-bit in the database: a larger one is a 422, not a failed query.
CampaignId = Annotated[int, PathParam(ge=1, le=2**31 - 1, description="A campaign's id")]


def _engine() -> Any:
    return get_engine(get_settings().database_url)


def require_key(
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> str:
    """The calling key's name; 401 without a key, 403 for one unknown or revoked."""
    bearer = (
        authorization[7:].strip()
        if authorization and authorization[:7].lower() == "bearer "
        else None
    )
    key = bearer or x_api_key
    if not key:
        raise HTTPException(401, "an API key is required: Authorization: Bearer <key>")
    name = key_name(_engine(), key)
    if name is None:
        raise HTTPException(403, "this API key is unknown or revoked")
    return name


router = APIRouter(prefix="/api/v1", dependencies=[Depends(require_key)])


class CampaignIn(BaseModel):
    """A campaign and its recipients as JSON (larger lists: POST /campaigns/upload)."""

    spec: dict[str, Any] = Field(description="CampaignSpec fields: name, sender, template, …")
    recipients: list[dict[str, str]] = Field(
        description='[{"phone": "010…", "<variable>": "…"}, …]', max_length=100_000
    )


class ResendIn(BaseModel):
    """Which recipients of a campaign to send to again."""

    only: Literal["failed", "undelivered", "retryable"] = "failed"
    template: str | None = None


def _spec(fields: dict[str, Any]) -> CampaignSpec:
    try:
        return CampaignSpec(**fields)
    except (ValidationError, TypeError) as exc:
        raise HTTPException(422, _first_error(exc)) from None


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error.get("loc", ())) or "spec"
        return f"{where}: {error.get('msg', 'invalid')}"
    return str(exc)


def _plain(value: Any) -> Any:
    """A dataclass report as JSON-ready data."""
    data = asdict(value) if is_dataclass(value) and not isinstance(value, type) else value
    return json.loads(json.dumps(data, default=_default))


def _default(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


async def _create(spec: CampaignSpec, source: Any) -> JSONResponse:
    try:
        report = await run_in_threadpool(create_campaign, spec, source)
    except (SpecError, SourceError, ValueError) as exc:
        raise HTTPException(422, str(exc)) from None
    except BrokerUnavailable as exc:
        raise HTTPException(503, str(exc)) from None
    status = 200 if report.existing else 201
    return JSONResponse(_plain(report), status_code=status)


@router.post("/campaigns", status_code=201)
async def create(body: CampaignIn) -> JSONResponse:
    """Create and queue a campaign from JSON recipients; its import report."""
    return await _create(_spec(body.spec), RecordList(body.recipients))


@router.post("/campaigns/upload", status_code=201)
async def upload(
    spec: Annotated[str, Form(description="CampaignSpec fields as a JSON object")],
    file: Annotated[UploadFile, File(description="A CSV file with a phone column")],
) -> JSONResponse:
    """Create and queue a campaign from an uploaded CSV (copied to disk, then imported with
    the same checks and rejects report as `campaign create --csv`)."""
    fields = _json_object(spec)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "recipients.csv"
        with path.open("wb") as out:
            while chunk := await file.read(UPLOAD_CHUNK):
                out.write(chunk)
        return await _create(_spec(fields), CsvSource(path))


def _json_object(text: str) -> dict[str, Any]:
    try:
        found = json.loads(text)
    except ValueError as exc:
        raise HTTPException(422, f"spec is not JSON: {exc}") from None
    if not isinstance(found, dict):
        raise HTTPException(422, "spec must be a JSON object")
    return found


@router.post("/campaigns/preview")
async def preview(body: CampaignIn) -> JSONResponse:
    """What creating the campaign would store and cost; nothing is stored."""
    try:
        found = await run_in_threadpool(
            preview_campaign, _spec(body.spec), RecordList(body.recipients)
        )
    except (SpecError, SourceError, ValueError) as exc:
        raise HTTPException(422, str(exc)) from None
    return JSONResponse(_plain(found))


@router.get("/campaigns/{campaign_id}")
async def status(campaign_id: CampaignId) -> JSONResponse:
    """Where the campaign stands: counts by status, code, type and provider."""
    report = await run_in_threadpool(_report, campaign_id)
    data = _plain(report)
    data["final"] = report.final
    return JSONResponse(data)


def _report(campaign_id: CampaignId) -> Any:
    try:
        return campaign_report(_engine(), campaign_id)
    except UnknownCampaign:
        raise HTTPException(404, f"no campaign with id {campaign_id}") from None


@router.post("/campaigns/{campaign_id}/pause")
async def pause(campaign_id: CampaignId) -> dict[str, Any]:
    """Stop sending now; results keep coming in."""
    await run_in_threadpool(_report, campaign_id)
    try:
        await run_in_threadpool(pause_campaign, campaign_id)
    except NotPausable as exc:
        raise HTTPException(409, str(exc)) from None
    return {"campaign_id": campaign_id, "status": "paused"}


@router.post("/campaigns/{campaign_id}/resume")
async def resume(campaign_id: CampaignId) -> dict[str, Any]:
    """Continue a paused campaign where it stopped."""
    await run_in_threadpool(_report, campaign_id)
    try:
        resumed = await run_in_threadpool(resume_campaign, campaign_id)
    except NotPausable as exc:
        raise HTTPException(409, str(exc)) from None
    return {"campaign_id": campaign_id, "status": resumed}


@router.post("/campaigns/{campaign_id}/cancel", status_code=202)
async def cancel(campaign_id: CampaignId) -> dict[str, Any]:
    """Ask the workers to stop what was not sent and withdraw reservations."""
    report = await run_in_threadpool(_report, campaign_id)
    if report.status in ("completed", "cancelled"):
        raise HTTPException(409, f"campaign {campaign_id} is already {report.status}")
    try:
        await run_in_threadpool(enqueue_cancel, get_settings(), campaign_id)
    except BrokerUnavailable as exc:
        raise HTTPException(503, str(exc)) from None
    return {"campaign_id": campaign_id, "status": "cancelling"}


@router.post("/campaigns/{campaign_id}/resend", status_code=201)
async def resend(campaign_id: CampaignId, body: ResendIn) -> JSONResponse:
    """A new campaign, linked to this one, of its recipients with that outcome."""
    await run_in_threadpool(_report, campaign_id)
    try:
        report = await run_in_threadpool(resend_campaign, campaign_id, body.only, body.template)
    except (SpecError, SourceError, ValueError) as exc:
        raise HTTPException(422, str(exc)) from None
    return JSONResponse(_plain(report), status_code=201)


@router.get("/campaigns/{campaign_id}/export")
async def export(campaign_id: CampaignId) -> FileResponse:
    """Every recipient with its outcome, as the CSV `campaign export` writes."""
    await run_in_threadpool(_report, campaign_id)
    folder = tempfile.mkdtemp(prefix="bulksms-export-")
    path = Path(folder) / f"campaign-{campaign_id}.csv"
    await run_in_threadpool(export_results, _engine(), campaign_id, path)
    cleanup = BackgroundTask(shutil.rmtree, folder, ignore_errors=True)
    return FileResponse(path, media_type="text/csv", filename=path.name, background=cleanup)
