"""A scripted provider at the HTTP transport: a requests adapter answering from a script.

Only the transport is replaced; signing, payloads, paging and error mapping stay ours.
"""

import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict


@dataclass
class Call:
    """One request the client made, with the timeout it passed."""

    request: requests.PreparedRequest
    timeout: Any

    @property
    def body(self) -> Any:
        return json.loads(self.request.body) if self.request.body else None


class ScriptedTransport(BaseAdapter):
    """Records every PreparedRequest and answers from a script: (status, body) or an error."""

    def __init__(self, *answers: Any) -> None:
        super().__init__()
        self.answers = list(answers)
        self.calls: list[Call] = []

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        self.calls.append(Call(request, timeout))
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        status, body = answer
        return response(status, body, request)

    def close(self) -> None:
        pass


def response(
    status: int, body: Any, request: requests.PreparedRequest | None = None
) -> requests.Response:
    """A response with a JSON body, or raw bytes served as text/html."""
    resp = requests.Response()
    resp.status_code = status
    resp.reason = HTTPStatus(status).phrase
    if request is not None:
        resp.request = request
        resp.url = str(request.url)
    if isinstance(body, bytes):
        resp._content = body
        resp.headers = CaseInsensitiveDict({"Content-Type": "text/html"})
    else:
        resp._content = json.dumps(body).encode()
        resp.headers = CaseInsensitiveDict({"Content-Type": "application/json;charset=UTF-8"})
    resp.encoding = "utf-8"
    return resp


def mounted(fake: "ScriptedTransport") -> requests.Session:
    """A session whose http:// traffic goes to `fake`."""
    session = requests.Session()
    session.mount("http://", fake)
    return session
