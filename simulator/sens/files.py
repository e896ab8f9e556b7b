"""Seed 003 "Upload files": MMS images checked on upload, kept by fileId for 6 days."""

import base64
import binascii
import json
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from simulator.core.counters import Counters
from simulator.nhn.jpeg import jpeg_size
from simulator.sens.times import format_time

# Seed 003 fileName: "File name with .jpg or .jpeg extension", "Up to 40 characters".
MAX_NAME = 40
EXTENSIONS = (".jpg", ".jpeg")
# Seed 003 fileBody: "Up to 300 KB per original file" (KB read as 1024 bytes),
# "Resolution up to 1500 * 1440" (width x height).
MAX_BYTES = 300 * 1024
MAX_WIDTH, MAX_HEIGHT = 1500, 1440
# Seed 003: an uploaded file is "stored for 6 days".
TTL = 6 * 86400.0


class UploadError(ValueError):
    """What is wrong with an upload body (the 400 errorMessage)."""


@dataclass(frozen=True, slots=True)
class StoredFile:
    """One uploaded image; its bytes are not kept, a send only needs to know it is live."""

    file_id: str
    name: str
    size: int
    created_at: float
    expires_at: float

    def view(self) -> dict[str, Any]:
        """The upload answer: fileId, createTime, expireTime."""
        return {
            "fileId": self.file_id,
            "createTime": format_time(self.created_at),
            "expireTime": format_time(self.expires_at),
        }


def _object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UploadError(f"body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise UploadError("body must be a JSON object")
    return data


def _name(data: dict[str, Any]) -> str:
    name = data.get("fileName")
    if not isinstance(name, str) or not name:
        raise UploadError("fileName is required")
    if len(name) > MAX_NAME:
        raise UploadError(f"fileName is {len(name)} characters; at most {MAX_NAME}")
    if not name.lower().endswith(EXTENSIONS):
        raise UploadError("fileName must end in .jpg or .jpeg")
    return name


def _image(data: dict[str, Any]) -> bytes:
    raw = data.get("fileBody")
    if not isinstance(raw, str) or not raw:
        raise UploadError("fileBody is required (Base64 of a JPEG image)")
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise UploadError("fileBody is not valid Base64") from None


def _check_image(image: bytes) -> None:
    if len(image) > MAX_BYTES:
        raise UploadError(f"fileBody is {len(image)} bytes; at most {MAX_BYTES}")
    size = jpeg_size(image)
    if size is None:
        raise UploadError("fileBody is not a JPEG image")
    width, height = size
    if width > MAX_WIDTH or height > MAX_HEIGHT:
        raise UploadError(f"image is {width}x{height}; at most {MAX_WIDTH}x{MAX_HEIGHT}")


def parse_upload(body: bytes) -> tuple[str, int]:
    """(fileName, size in bytes) of a valid upload body; UploadError names what is wrong."""
    data = _object(body)
    name = _name(data)
    image = _image(data)
    _check_image(image)
    return name, len(image)


class FileStore:
    """Uploaded files by fileId, usable until their expireTime on the simulator's clock."""

    def __init__(self, counters: Counters) -> None:
        self._lock = threading.Lock()
        self._counters = counters
        self.reset()

    def reset(self) -> None:
        """Forget every file (POST /_sim/reset)."""
        with self._lock:
            self._by_id: dict[str, StoredFile] = {}
            self._by_key: dict[tuple[str, int], StoredFile] = {}

    def upload(self, name: str, size: int, now: float) -> StoredFile:
        """The live file of this name and size (seed 003: reused as is), else a new one."""
        with self._lock:
            old = self._by_key.get((name, size))
            if old is not None and now < old.expires_at:
                record, counter = old, "files_reused"
            else:
                record, counter = self._add(name, size, now, old), "files_uploaded"
        self._counters.bump(counter)
        return record

    def _add(self, name: str, size: int, now: float, expired: StoredFile | None) -> StoredFile:
        if expired is not None:
            del self._by_id[expired.file_id]
        record = StoredFile(str(uuid.uuid4()), name, size, now, now + TTL)
        self._by_id[record.file_id] = record
        self._by_key[(name, size)] = record
        return record

    def live(self, file_id: str, now: float) -> StoredFile | None:
        """The file with `file_id` unless it is unknown or expired at `now`."""
        with self._lock:
            record = self._by_id.get(file_id)
        return record if record is not None and now < record.expires_at else None

    def refusal(self, file_ids: tuple[str, ...], now: float) -> str | None:
        """Why a send naming `file_ids` is refused (the first unusable one); None if all live."""
        for index, file_id in enumerate(file_ids):
            if self.live(file_id, now) is None:
                return f"files[{index}].fileId {file_id!r} is unknown or expired"
        return None
