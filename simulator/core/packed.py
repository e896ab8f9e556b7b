"""Per-message texts of one request as one zlib-compressed blob, unpacked only when read."""

import json
import zlib
from collections.abc import Sequence
from functools import lru_cache

Row = tuple[str | None, ...]
# Unpacked blobs kept at a time: a list page or a webhook batch reads many rows of each.
CACHED_BLOBS = 8


def _pack(rows: Sequence[Sequence[str | None]]) -> bytes:
    raw = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(raw.encode())


@lru_cache(maxsize=CACHED_BLOBS)
def _unpack(blob: bytes) -> tuple[Row, ...]:
    return tuple(tuple(row) for row in json.loads(zlib.decompress(blob)))


class PackedRows:
    """Rows of `width` optional texts, one row a message, kept as one compressed blob.

    Personalized texts share most of their characters, so a request's rows compress to a
    few bytes a message and no Python object is kept per message. When every text is None
    (the messages use the request's own) there is no blob at all.
    """

    __slots__ = ("_blob", "_width")

    def __init__(self, rows: Sequence[Sequence[str | None]], width: int) -> None:
        self._width = width
        given = any(text is not None for row in rows for text in row)
        self._blob = _pack(rows) if given else None

    @property
    def packed_size(self) -> int:
        """Bytes the rows take (0: no blob)."""
        return 0 if self._blob is None else len(self._blob)

    def __getitem__(self, index: int) -> Row:
        if self._blob is None:
            return (None,) * self._width
        return _unpack(self._blob)[index]
