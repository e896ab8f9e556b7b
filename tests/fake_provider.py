"""A provider client with no HTTP at all, for service tests: it records every send and
answers from a script (accept, refuse some recipients, or raise a ProviderError).

It fakes the provider, never our code: dispatch, applying and polling run for real against
it. `results()` are what the provider would report once the messages complete.
"""

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from worker.providers.base import (
    MessageResult,
    ProviderClient,
    ResultPage,
    SendReceipt,
    SendRequest,
    SentRequest,
)
from worker.providers.errors import ProviderError

# The code (and its family) a fake message completes with, by number.
Outcome = Callable[[str], tuple[str, str]]


@dataclass
class FakeSend:
    """One request the fake accepted (or refused)."""

    request: SendRequest
    request_id: str | None
    refused: set[str] = field(default_factory=set)


class FakeProvider(ProviderClient):
    """A scripted provider named like a registry entry (its largest batch applies)."""

    def __init__(
        self, name: str, outcome: Outcome, refuse: dict[str, tuple[str, str]] | None = None
    ):
        self.name = name
        self.outcome = outcome
        self.refuse = dict(refuse or {})
        self.sends: list[FakeSend] = []
        self.errors: list[ProviderError] = []
        self._ids = itertools.count(1)

    def fail_next(self, *errors: ProviderError) -> None:
        """The next sends raise these, one each, before anything is accepted."""
        self.errors.extend(errors)

    def _send(self, request: SendRequest) -> SendReceipt:
        if self.errors:
            self.sends.append(FakeSend(request, None))
            raise self.errors.pop(0)
        request_id = f"FAKE-{next(self._ids)}"
        refused = tuple(
            self._result(request_id, m.to, *self.refuse[m.to])
            for m in request.messages
            if m.to in self.refuse
        )
        self.sends.append(FakeSend(request, request_id, {r.to for r in refused}))
        return SendReceipt(request_id, datetime.now(UTC), refused)

    def result_pages(self, sent: SentRequest) -> Iterator[ResultPage]:
        found = [s for s in self.sends if s.request_id == sent.request_id]
        results = [
            self._result(sent.request_id, m.to, *self.outcome(m.to))
            for s in found
            for m in s.request.messages
            if m.to not in s.refused
        ]
        yield ResultPage(results, 0, False)

    def sent_to(self, number: str) -> int:
        """How many accepted messages went to `number` (the duplicate counter)."""
        return sum(
            1
            for s in self.sends
            if s.request_id
            for m in s.request.messages
            if m.to == number and m.to not in s.refused
        )

    @staticmethod
    def _result(request_id: str, to: str, code: str, family: str) -> MessageResult:
        now = datetime.now(UTC)
        return MessageResult(request_id, f"{request_id}:{to}", to, "DONE", code, None, None, now,
                             family=family)  # fmt: skip
