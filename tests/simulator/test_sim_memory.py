"""What the stores keep per accepted message, measured with tracemalloc (a generous bound).

`python -m simulator.footprint` measures whole processes at a million messages; these send
its request bodies, personalized (every message its own text) and identical.
"""

import gc
import json
import tracemalloc

import pytest

from simulator.footprint import nhn_body, sens_body
from simulator.nhn.sending import SendContext, parse_send
from simulator.nhn.store import NhnStore
from simulator.nhn.store import OutcomeProfile as NhnProfile
from simulator.sens.store import OutcomeProfile, Store
from simulator.sens.validation import parse_send as parse_sens

MESSAGES = 10_000
# The stores before compaction kept about 530 bytes a message (a dataclass, a uuid and a
# Counter key per message); then: a packed number, an attempt index and two 12-byte slots.
MAX_BYTES_PER_MESSAGE = 150
# Personalized texts kept per message cost another 260-550 bytes (a dict entry, a tuple and
# the strings); now each request's are one compressed blob: about 10 bytes a message.
MAX_TEXT_BYTES_PER_MESSAGE = 30


def _retained(accept, bodies) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [accept(body) for body in bodies]
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert kept
    return (after - before) / MESSAGES


def _sens_per_message(content: str) -> float:
    store = Store()
    profile = OutcomeProfile(42, 2.0, 0.0)
    bodies = [json.dumps(sens_body(i, 100, content)).encode() for i in range(MESSAGES // 100)]
    per_message = _retained(lambda b: store.accept(parse_sens(b), profile, 1.0e9), bodies)
    assert store.counters.snapshot()["messages_accepted"] == MESSAGES
    return per_message


def _nhn_per_message(content: str) -> float:
    store = NhnStore()
    profile = NhnProfile(42, 2.0, 0.0)
    context = SendContext(1.0e9, lambda s: True, lambda f: None)
    bodies = [json.dumps(nhn_body(i, 1000, content)).encode() for i in range(MESSAGES // 1000)]

    def accept(body):
        order = parse_send(body, False, False, context)
        return store.accept(order, [None] * len(order.recipients), profile, 1.0e9)

    per_message = _retained(accept, bodies)
    assert store.counters.snapshot()["messages_accepted"] == MESSAGES
    return per_message


@pytest.mark.parametrize("measure", [_sens_per_message, _nhn_per_message], ids=["sens", "nhn"])
def test_store_is_compact_with_identical_and_personalized_texts(measure):
    identical, personalized = measure("identical"), measure("personalized")
    assert identical < MAX_BYTES_PER_MESSAGE, identical
    assert personalized < MAX_BYTES_PER_MESSAGE, personalized
    assert personalized - identical < MAX_TEXT_BYTES_PER_MESSAGE, (identical, personalized)
