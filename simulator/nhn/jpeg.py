"""The pixel size of a JPEG from its SOF marker (ITU T.81, B.2.2), without an image library."""

_SOI = b"\xff\xd8"
# Start-of-frame markers C0-CF, except DHT (C4), JPG (C8) and DAC (CC).
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM and RST0-7 carry no length
_SOS, _EOI = 0xDA, 0xD9


def _next_marker(data: bytes, at: int) -> tuple[int, int] | None:
    """(marker, position after it) of the marker at `at`, skipping fill bytes; None if none."""
    if at >= len(data) or data[at] != 0xFF:
        return None
    while at < len(data) and data[at] == 0xFF:
        at += 1
    return (data[at], at + 1) if at < len(data) else None


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a baseline or progressive JPEG; None when `data` is not one."""
    if not data.startswith(_SOI):
        return None
    at = 2
    while (found := _next_marker(data, at)) is not None:
        marker, at = found
        if marker in _STANDALONE:
            continue
        if marker in (_SOS, _EOI) or at + 2 > len(data):
            return None  # image data (or the end) before any frame header
        length = int.from_bytes(data[at : at + 2], "big")
        if marker in _SOF and length >= 7 and at + 7 <= len(data):
            height = int.from_bytes(data[at + 3 : at + 5], "big")
            width = int.from_bytes(data[at + 5 : at + 7], "big")
            return width, height
        at += length
    return None
