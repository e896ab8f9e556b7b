"""MMS images are read with Pillow and checked against each provider's documented limits."""

import io
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image as Pillow

from config import providers
from worker.domain.images import ImageError, check, parse, read

SENS = providers.get("sens").capabilities.images
NHN = providers.get("nhn").capabilities.images


def jpeg(width: int, height: int, quality: int = 80, noise: bool = False) -> bytes:
    image = Pillow.new("RGB", (width, height), (200, 30, 30))
    if noise:
        image = Pillow.frombytes(
            "RGB", (width, height), bytes(range(256)) * (width * height * 3 // 256 + 1)
        )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def test_a_small_jpeg_fits_both_providers() -> None:
    image = parse("sale.jpg", jpeg(800, 600))
    assert (image.format, image.width, image.height) == ("JPEG", 800, 600)
    assert SENS is not None and NHN is not None
    check(image, SENS, "SENS")
    check(image, NHN, "NHN")
    assert len(image.sha256) == 64


def test_each_limit_is_named_with_the_provider() -> None:
    assert SENS is not None and NHN is not None
    wide = parse("wide.jpg", jpeg(1400, 1400))
    check(wide, SENS, "SENS")
    with pytest.raises(ImageError, match=r"for NHN: 1400×1400 pixels; at most 1000×1000"):
        check(wide, NHN, "NHN")
    with pytest.raises(ImageError, match=r"2000×2000 pixels; at most 1500×1440"):
        check(parse("big.jpg", jpeg(2000, 2000)), SENS, "SENS")
    heavy = parse("heavy.jpg", jpeg(1200, 1200, quality=100, noise=True))
    assert len(heavy.data) > 300 * 1024
    with pytest.raises(ImageError, match=r"bytes; at most 307,200"):
        check(heavy, SENS, "SENS")


def test_other_formats_and_names_and_non_images_are_refused() -> None:
    assert SENS is not None
    png = io.BytesIO()
    Pillow.new("RGB", (10, 10)).save(png, "PNG")
    with pytest.raises(ImageError, match="PNG is not allowed; only JPEG"):
        check(parse("a.jpg", png.getvalue()), SENS, "SENS")
    with pytest.raises(ImageError, match=r"must end in \.jpg or \.jpeg"):
        check(parse("a.gif", jpeg(10, 10)), SENS, "SENS")
    with pytest.raises(ImageError, match="not a readable image"):
        parse("a.jpg", b"not an image at all")
    with pytest.raises(ImageError, match="not a readable image"):
        parse("cut.jpg", jpeg(300, 300)[:200])


@pytest.mark.parametrize("name", ["sale.jpeg", "SALE.JPEG", "Sale.JPG"])
def test_both_jpeg_spellings_in_any_case_are_allowed(name: str) -> None:
    assert SENS is not None
    check(parse(name, jpeg(10, 10)), SENS, "SENS")


def test_an_image_exactly_at_the_limits_fits() -> None:
    assert NHN is not None  # at most 1000×1000 pixels
    image = parse("edge.jpg", jpeg(1000, 1000))
    check(image, replace(NHN, max_bytes=len(image.data)), "NHN")
    with pytest.raises(
        ImageError, match=rf"{len(image.data):,} bytes; at most {len(image.data) - 1:,}"
    ):
        check(image, replace(NHN, max_bytes=len(image.data) - 1), "NHN")


@pytest.mark.parametrize(("width", "height"), [(1001, 10), (10, 1001)])
def test_one_side_too_long_is_enough_to_refuse(width: int, height: int) -> None:
    assert NHN is not None
    with pytest.raises(ImageError, match=rf"{width}×{height} pixels; at most 1000×1000"):
        check(parse("long.jpg", jpeg(width, height)), NHN, "NHN")


def test_the_refusal_lists_every_allowed_format() -> None:
    assert SENS is not None
    png = io.BytesIO()
    Pillow.new("RGB", (10, 10)).save(png, "PNG")
    with pytest.raises(ImageError, match=r"PNG is not allowed; only JPEG, GIF$"):
        check(parse("a.jpg", png.getvalue()), replace(SENS, formats=("JPEG", "GIF")), "SENS")


def test_a_missing_file_is_named_with_the_reason(tmp_path: Path) -> None:
    missing = tmp_path / "gone.jpg"
    with pytest.raises(ImageError) as info:
        read(missing)
    assert str(info.value) == f"image {missing}: No such file or directory"
