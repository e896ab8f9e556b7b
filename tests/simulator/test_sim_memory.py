"""What the stores keep per accepted message, measured with tracemalloc (a generous bound).

`python -m simulator.footprint` measures whole processes at a million messages.
"""

import gc
import json
import tracemalloc

from simulator.nhn.sending import SendContext, parse_send
from simulator.nhn.store import NhnStore
from simulator.nhn.store import OutcomeProfile as NhnProfile
from simulator.sens.store import OutcomeProfile, Store
from simulator.sens.validation import parse_send as parse_sens

MESSAGES = 20_000
# The stores before compaction kept about 530 bytes a message (a dataclass, a uuid and a
# Counter key per message); now: a packed number, an attempt index and two 12-byte slots.
MAX_BYTES_PER_MESSAGE = 150


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


def _numbers(start: int, count: int) -> list[str]:
    return [f"010{n:08d}" for n in range(start, start + count)]


def test_sens_store_is_compact():
    store = Store()
    profile = OutcomeProfile(42, 2.0, 0.0)
    bodies = [
        json.dumps(
            {
                "type": "SMS",
                "from": "0212345678",
                "content": "봄 세일 안내",
                "messages": [{"to": n} for n in _numbers(i * 100, 100)],
            }
        ).encode()
        for i in range(MESSAGES // 100)
    ]
    per_message = _retained(lambda b: store.accept(parse_sens(b), profile, 1.0e9), bodies)
    assert per_message < MAX_BYTES_PER_MESSAGE, per_message
    assert store.counters.snapshot()["messages_accepted"] == MESSAGES


def test_nhn_store_is_compact():
    store = NhnStore()
    profile = NhnProfile(42, 2.0, 0.0)
    context = SendContext(1.0e9, lambda s: True, lambda f: None)
    bodies = [
        json.dumps(
            {
                "body": "봄 세일 안내",
                "sendNo": "15446859",
                "recipientList": [{"recipientNo": n} for n in _numbers(i * 1000, 1000)],
            }
        ).encode()
        for i in range(MESSAGES // 1000)
    ]

    def accept(body):
        order = parse_send(body, False, False, context)
        return store.accept(order, [None] * len(order.recipients), profile, 1.0e9)

    per_message = _retained(accept, bodies)
    assert per_message < MAX_BYTES_PER_MESSAGE, per_message
    assert store.counters.snapshot()["messages_accepted"] == MESSAGES
