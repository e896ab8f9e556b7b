"""An HTTP reply as the simulators hand it to the HTTP layer: status, JSON body, and a hold."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Reply:
    """One HTTP answer; a None body is sent as an empty body.

    `hold` > 0 makes the HTTP layer wait that many seconds before writing the answer (a
    "lost answer": the provider has the request, the client's read times out). `raw`, when
    set, is the already encoded JSON body (large answers built without a dict).
    """

    status: int
    body: dict[str, Any] | list[Any] | None = None
    hold: float = 0.0
    raw: bytes | bytearray | None = None
