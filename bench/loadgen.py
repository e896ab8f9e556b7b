"""A lean HTTP/1.1 load generator: keep-alive connections on asyncio streams, POSTing bodies.

The benchmark measures the service, so the generator must cost little: `requests` in threads
spent most of a core per ~1,000 calls/s on 2 cores; raw streams spend a fraction of that.
"""

import asyncio
from collections.abc import Sequence
from urllib.parse import urlsplit


async def _connection(
    host: str, port: int, head: bytes, bodies: asyncio.Queue[bytes], answers: list[int]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while not bodies.empty():
            body = bodies.get_nowait()
            writer.write(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
            answers.append(await _status(reader))
    finally:
        writer.close()


async def _status(reader: asyncio.StreamReader) -> int:
    """The answer's status code, its body read and dropped (the connection stays usable)."""
    header = await reader.readuntil(b"\r\n\r\n")
    lines = header.split(b"\r\n")
    length = next(
        (
            int(line.split(b":", 1)[1])
            for line in lines
            if line.lower().startswith(b"content-length")
        ),
        0,
    )
    await reader.readexactly(length)
    return int(lines[0].split(b" ", 2)[1])


async def _post_all(
    url: str, headers: dict[str, str], bodies: Sequence[bytes], connections: int
) -> list[int]:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    head = (f"POST {path} HTTP/1.1\r\nHost: {parts.hostname}\r\n"
            f"Content-Type: application/json\r\n{extra}").encode()  # fmt: skip
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    answers: list[int] = []
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    await asyncio.gather(
        *(_connection(host, port, head, queue, answers) for _ in range(connections))
    )
    return answers


def post_all(
    url: str, headers: dict[str, str], bodies: Sequence[bytes], connections: int
) -> list[int]:
    """Every body POSTed to `url` over `connections` keep-alive connections; the statuses."""
    return asyncio.run(_post_all(url, headers, bodies, connections))
