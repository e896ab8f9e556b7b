"""MMS images: read with Pillow, checked against a provider's limits before anything is stored."""

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as Pillow
from PIL import UnidentifiedImageError

from config.providers import ImageLimits


class ImageError(ValueError):
    """An image no provider of the campaign would take; the message names the limit."""


@dataclass(frozen=True, slots=True)
class Image:
    """One image as read: its name, bytes, content hash, format and size."""

    name: str
    data: bytes
    format: str
    width: int
    height: int

    @property
    def sha256(self) -> str:
        """The content hash an upload is kept under (the same image is uploaded once)."""
        return hashlib.sha256(self.data).hexdigest()


def read(path: Path) -> Image:
    """The image at `path`; ImageError when it is missing or not an image."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImageError(f"image {path}: {exc.strerror or exc}") from None
    return parse(path.name, data)


def parse(name: str, data: bytes) -> Image:
    """An image from its bytes; ImageError when Pillow cannot read one."""
    try:
        with Pillow.open(io.BytesIO(data)) as opened:
            opened.verify()  # a truncated or corrupt file fails here, not at the provider
            return Image(name, data, str(opened.format), *opened.size)
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ImageError(f"image {name}: not a readable image ({exc})") from None


def check(image: Image, limits: ImageLimits, provider: str) -> None:
    """Raise ImageError naming the first of `provider`'s limits the image breaks."""
    where = f"image {image.name} for {provider}"
    if image.format not in limits.formats:
        raise ImageError(
            f"{where}: {image.format} is not allowed; only {', '.join(limits.formats)}"
        )
    if not image.name.lower().endswith((".jpg", ".jpeg")):
        raise ImageError(f"{where}: the file name must end in .jpg or .jpeg")
    if len(image.data) > limits.max_bytes:
        raise ImageError(f"{where}: {len(image.data):,} bytes; at most {limits.max_bytes:,}")
    if image.width > limits.max_width or image.height > limits.max_height:
        raise ImageError(
            f"{where}: {image.width}×{image.height} pixels; at most "
            f"{limits.max_width}×{limits.max_height}"
        )
