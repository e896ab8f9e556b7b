"""Uploaded MMS images (api-guide "Attached Files"): checked, kept by fileId until they expire."""

import base64
import binascii
import itertools
import json
import threading
from dataclasses import dataclass
from typing import Any

from simulator.core.kst import seoul
from simulator.nhn.jpeg import jpeg_size
from simulator.nhn.results import PARAMETER, NhnError
from simulator.nhn.times import id_stamp

MAX_NAME = 45  # fileName: 45 characters at most
# Seed 002 -2005: "greater than 0 and less than 300KB" (the simulator reads KB as 1024 bytes).
MAX_BYTES = 300 * 1024
# api-guide "Restrictions for Attached Images": "Resolution of Image: Less than 1000*1000".
MAX_SIDE = 1000
EXTENSIONS = (".jpg", ".jpeg")
FIRST_FILE_ID = 100_001


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """One uploaded image (its bytes are not kept: a send only needs to know it is live)."""

    file_id: int
    file_name: str
    file_path: str
    save_file_name: str
    uploaded_at: float
    size: int

    def view(self) -> dict[str, Any]:
        """An attachFileList entry of the list/get answers."""
        return {
            "fileId": self.file_id,
            "filePath": self.file_path,
            "fileName": self.file_name,
            "saveFileName": self.save_file_name,
            "uploadType": "TEMPORARY",
        }


def _name(data: dict[str, Any]) -> str:
    name = data.get("fileName")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise NhnError(-2002, f"fileName must be 1 to {MAX_NAME} characters")
    if not name.lower().endswith(EXTENSIONS):
        raise NhnError(-2003, f"fileName {name!r} does not end in .jpg or .jpeg")
    return name


def _bytes(raw: Any) -> bytes:
    """fileBody: Base64 text, or (the guide's "byte arrangement value") a list of bytes."""
    if isinstance(raw, list) and all(isinstance(b, int) and -128 <= b <= 255 for b in raw):
        return bytes(b & 0xFF for b in raw)
    if not isinstance(raw, str):
        raise NhnError(PARAMETER, "fileBody must be Base64 text")
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise NhnError(PARAMETER, "fileBody is not valid Base64") from None


def _check_image(body: bytes) -> None:
    if not 0 < len(body) < MAX_BYTES:
        raise NhnError(-2005, f"the file is {len(body)} bytes")
    size = jpeg_size(body)
    if size is None:
        raise NhnError(-2003, "fileBody is not a JPEG image")
    # No code in seed 002 for the resolution rule: resultCode 4 names it.
    if max(size) > MAX_SIDE:
        raise NhnError(PARAMETER, f"the image is {size[0]}x{size[1]}; at most 1000x1000")


def parse_upload(raw: bytes) -> tuple[str, bytes]:
    """(fileName, image bytes) of a binaryUpload body; NhnError names what is wrong."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise NhnError(-9997, "the body is not JSON") from None
    if not isinstance(data, dict):
        raise NhnError(-9997, "the body must be a JSON object")
    name = _name(data)
    if not isinstance(data.get("createUser"), str) or not data["createUser"]:
        raise NhnError(PARAMETER, "createUser is required")
    body = _bytes(data.get("fileBody"))
    _check_image(body)
    return name, body


class Attachments:
    """Uploaded files by fileId; a file is usable for `ttl` seconds of simulator time."""

    def __init__(self, ttl: float) -> None:
        self._lock = threading.Lock()
        self._ttl = ttl
        self.reset()

    def reset(self) -> None:
        """Forget every file."""
        with self._lock:
            self._files: dict[int, UploadedFile] = {}
            self._ids = itertools.count(FIRST_FILE_ID)

    def add(self, name: str, body: bytes, now: float) -> UploadedFile:
        """Keep a checked upload; returns its record with a new fileId."""
        with self._lock:
            file_id = next(self._ids)
            moment = seoul(now)
            path = f"0/toast-mt-{moment:%Y-%m-%d}/{moment:%H%M}/{file_id}"
            extension = name.rsplit(".", 1)[-1].lower()
            saved = f"{id_stamp(now)[:8]}{file_id}.{extension}"
            record = UploadedFile(file_id, name, path, saved, now, len(body))
            self._files[file_id] = record
            return record

    def live(self, file_id: int, now: float) -> UploadedFile | None:
        """The file with `file_id` unless unknown or expired at `now`."""
        with self._lock:
            record = self._files.get(file_id)
        if record is None or now >= record.uploaded_at + self._ttl:
            return None
        return record
