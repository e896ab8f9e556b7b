"""Decoded lines of a recipient file, read in blocks: encoding detection, bad bytes, long lines."""

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from typing import BinaryIO

from producer.signatures import binary_kind

BLOCK = 1 << 20
# A recipient row is a few hundred bytes; a line this long is not one, and is skipped unread.
MAX_LINE = 1 << 20
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
HEAD = 200
# More undecodable bytes than this (or 1%) in the first block: not a text file at all.
BINARY_ERRORS = 10
# CP949 is a superset of EUC-KR: forcing either reads with CP949.
ALIASES = {"euc-kr": "cp949", "euc_kr": "cp949", "euckr": "cp949", "utf-8-sig": "utf-8"}


class EncodingError(ValueError):
    """The file's encoding is not one this import reads."""


class BinaryData(EncodingError):
    """The file is not text at all; the message says what it seems to be instead."""


@dataclass(frozen=True, slots=True)
class LongLine:
    """A line skipped for its length: its first bytes and its size."""

    head: str
    size: int


class TextLines:
    """The lines of a binary file as text, with the encoding found from its bytes.

    Blocks that decode cleanly (nearly all) go straight to `csv` through `io.StringIO`;
    a block with undecodable bytes or NUL is decoded with surrogate escapes and sets
    `dirty`, which stays set so the reader checks every later row for those characters.
    """

    def __init__(self, handle: BinaryIO, encoding: str | None = None) -> None:
        self._handle = handle
        self.encoding = canonical(encoding) if encoding else None
        self.forced = encoding is not None
        self.bytes_read = 0
        self.dirty = False
        self.long_lines: list[LongLine] = []

    def __iter__(self) -> Iterator[str]:
        return chain.from_iterable(self._blocks())

    def _blocks(self) -> Iterator[io.StringIO]:
        carry = self._start()
        while data := self._read():
            data = carry + data if carry else data
            cut = _last_line_end(data)
            if cut:
                carry = data[cut:]
                yield self._decode(data[:cut])
            elif len(data) > MAX_LINE:
                carry = self._skip_line(data)
                yield io.StringIO("\n")  # a blank line keeps csv's line count right
            else:
                carry = data
        if carry:
            yield self._decode(carry)

    def _read(self) -> bytes:
        data = self._handle.read(BLOCK)
        self.bytes_read += len(data)
        return data

    def _start(self) -> bytes:
        """The first bytes, past a UTF-8 byte order mark (which also settles the encoding)."""
        data = self._read()
        if data.startswith(UTF16_BOMS):
            raise EncodingError(
                "the file is UTF-16 (Excel 'Unicode text'); save it as 'CSV UTF-8' or CSV"
            )
        if kind := binary_kind(data):
            raise BinaryData(f"it looks like {kind}")
        if data.startswith(UTF8_BOM):
            data = data[len(UTF8_BOM) :]
            self.encoding = self.encoding or "utf-8"
        return data

    def _skip_line(self, data: bytes) -> bytes:
        """Read past the end of an over-long line in blocks; return what follows it."""
        head, size = data[:HEAD], len(data)
        while chunk := self._read():
            end = chunk.find(b"\n")
            if end >= 0:
                self._record_long(head, size + end + 1)
                return chunk[end + 1 :]
            size += len(chunk)
        self._record_long(head, size)
        return b""

    def _record_long(self, head: bytes, size: int) -> None:
        self.long_lines.append(LongLine(head.decode(self.encoding or "utf-8", "replace"), size))
        self.dirty = True

    def _decode(self, raw: bytes) -> io.StringIO:
        if self.encoding is None:
            # Undecided until the first non-ASCII byte: ASCII reads the same in either.
            if raw.isascii():
                return self._checked(raw.decode("ascii"))
            self.encoding = detect(raw)
        try:
            text = raw.decode(self.encoding)
        except UnicodeDecodeError:
            text = raw.decode(self.encoding, "surrogateescape")
            self.dirty = True
        return self._checked(text)

    def _checked(self, text: str) -> io.StringIO:
        if "\x00" in text:
            self.dirty = True
        return io.StringIO(text, newline="")


def detect(raw: bytes) -> str:
    """UTF-8 if the bytes are valid UTF-8, else CP949 if valid CP949, else the closer one."""
    for encoding in ("utf-8", "cp949"):
        try:
            raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    utf8_errors = raw.decode("utf-8", "replace").count("\ufffd")
    cp949_errors = raw.decode("cp949", "replace").count("\ufffd")
    if min(utf8_errors, cp949_errors) > max(BINARY_ERRORS, len(raw) // 100):
        raise BinaryData("it is neither UTF-8 nor CP949 text")
    return "utf-8" if utf8_errors <= cp949_errors else "cp949"


def canonical(encoding: str) -> str:
    """The codec name for a forced encoding; EncodingError for one this import cannot read."""
    name = ALIASES.get(encoding.lower(), encoding.lower())
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise EncodingError(f"unknown encoding {encoding!r}; use utf-8 or cp949") from None
    if codec not in ("utf-8", "cp949"):
        raise EncodingError(f"encoding {encoding!r} is not supported; use utf-8 or cp949")
    return codec


def _last_line_end(data: bytes) -> int:
    """Just past the last line end in `data`, or 0; a final lone CR may be half of a CRLF."""
    newline = data.rfind(b"\n")
    if newline >= 0:
        return newline + 1
    # Classic Mac files end lines with CR alone.
    cr = data.rfind(b"\r", 0, len(data) - 1)
    return cr + 1
