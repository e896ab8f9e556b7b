"""Under mutation testing (mutmut), each test process gets Redis and caches of its own."""

import fcntl
import os
import re
import sys
import tempfile
import weakref
from pathlib import Path

from sqlalchemy import Connection, Engine, event

# The Redis server of a mutation run (`make mutate` starts one); each process takes a database.
MUTATE_REDIS_ENV = "BULKSMS_MUTATE_REDIS_URL"
# mutmut's parent plus its children (--max-children) must each find a free database.
SLOTS = 16

# A process started by exec inherits its parent's database through the environment; a forked
# one (mutmut's children) drops it (_forget_parent_state) and takes a slot of its own.
SLOT_ENV = "BULKSMS_MUTATE_REDIS_DB"

_slots: dict[int, int] = {}  # pid -> slot
_held: list[int] = []  # descriptors of the slot locks this process holds
_engines: "weakref.WeakSet[Engine]" = weakref.WeakSet()


def under_mutmut() -> bool:
    """Whether mutmut runs these tests: it sets MUTANT_UNDER_TEST before any test runs."""
    return "MUTANT_UNDER_TEST" in os.environ


def redis_test_url(url: str) -> str:
    """`url`; under mutmut a database of this process's own instead, on the run's server.

    mutmut tests several mutants at once, each in a forked child running the same tests: with
    one shared database, one child's FLUSHDB and keys would decide another child's verdict.
    """
    if not under_mutmut():
        return url
    base = os.environ.get(MUTATE_REDIS_ENV)
    if not base:
        raise RuntimeError(f"mutation testing needs {MUTATE_REDIS_ENV}: run it with `make mutate`")
    return f"{base.rstrip('/')}/{_slot(base)}"


def _slot(base: str) -> int:
    """This process's database: its parent's if started by exec (spawn, subprocess), else the
    lowest slot no living process holds, held (flock) until this process exits."""
    pid = os.getpid()
    if pid not in _slots:
        inherited = os.environ.get(SLOT_ENV)
        _slots[pid] = int(inherited) if inherited else _take_slot(base)
        os.environ[SLOT_ENV] = str(_slots[pid])
    return _slots[pid]


def _take_slot(base: str) -> int:
    name = re.sub(r"\W", "_", base)
    for slot in range(SLOTS):
        path = Path(tempfile.gettempdir()) / f"bulksms-mutate-{name}-{slot}.lock"
        descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            continue
        _held.append(descriptor)  # never closed: the lock lasts as long as the process
        return slot
    raise RuntimeError(f"all {SLOTS} mutation-test Redis databases are taken")


def _note_engine(connection: Connection) -> None:
    _engines.add(connection.engine)


def _forget_parent_state() -> None:
    """In a forked child: new pool connections and empty caches, none of the parent's.

    Pooled connections share their sockets with the parent and every sibling; results cached
    by the parent (tables read through functions mutmut mutated) would hide a mutant.
    """
    os.environ.pop(SLOT_ENV, None)
    for engine in list(_engines):
        engine.dispose(close=False)  # SQLAlchemy's way for a child: leave the parent's alone
    for module_name, module in list(sys.modules.items()):
        if module_name.split(".")[0] in ("worker", "config") and module is not None:
            for value in list(vars(module).values()):
                clear = getattr(value, "cache_clear", None)
                if callable(clear):
                    clear()


def isolate_forked_children() -> None:
    """Under mutmut, make every forked child forget its parent's connections and caches."""
    if under_mutmut() and not getattr(os, "_bulksms_isolation_registered", False):
        event.listen(Engine, "engine_connect", _note_engine)
        os.register_at_fork(after_in_child=_forget_parent_state)
        os._bulksms_isolation_registered = True  # type: ignore[attr-defined]
