"""Reading a request body without ever holding more than the limit."""

from fastapi import Request


class BodyTooLarge(ValueError):
    """The body is over the limit."""


async def read_limited(request: Request, limit: int) -> bytes:
    """The whole body, refused as soon as it passes `limit` bytes (a declared length over the
    limit is refused before anything is read)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"body of {int(declared):,} bytes is over the {limit:,}-byte limit")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"body is over the {limit:,}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)
