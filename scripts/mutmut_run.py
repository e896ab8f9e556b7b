"""mutmut's command line, with its wall-clock timeouts aimed only at the child set for."""

import heapq
import os
import signal
import threading
import time

import mutmut.workers.isolation
import mutmut.workers.timeout
from mutmut.__main__ import cli

# mutmut 3.8 (mutmut/workers/timeout.py) keeps each child's deadline after the child has exited
# and sends SIGXCPU to its pid when the deadline comes. By then the kernel may have handed that
# pid to another process: a long run forks thousands of children, and with a pid_max of 32,768
# the one hit was a test's HTTP service or simulator (its default action for SIGXCPU is to die,
# without a word in its log). A pidfd names the child itself, never a later holder of its pid.

_deadlines: list[tuple[float, int]] = []  # (deadline, pidfd of the child)
_due = threading.Condition()
_checker_of: int | None = None  # the process whose thread watches the deadlines (forks lose it)


def register_timeout(pid: int, timeout_s: float) -> None:
    """SIGXCPU to the child `pid` in `timeout_s` seconds, unless it has exited by then."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return  # gone already: nothing to time out
    with _due:
        _start_checker()
        heapq.heappush(_deadlines, (time.monotonic() + timeout_s, pidfd))
        _due.notify()


def _start_checker() -> None:
    global _checker_of
    if _checker_of != os.getpid():
        _checker_of = os.getpid()
        threading.Thread(target=_check, name="mutant-timeouts", daemon=True).start()


def _check() -> None:
    with _due:
        while True:
            now = time.monotonic()
            while _deadlines and _deadlines[0][0] <= now:
                _expire(heapq.heappop(_deadlines)[1])
            _due.wait(timeout=_deadlines[0][0] - now if _deadlines else None)


def _expire(pidfd: int) -> None:
    try:
        signal.pidfd_send_signal(pidfd, signal.SIGXCPU)
    except ProcessLookupError:
        pass  # the child finished in time
    finally:
        os.close(pidfd)


def install() -> None:
    """Put `register_timeout` where mutmut calls it (isolation imported the name itself)."""
    mutmut.workers.timeout.register_timeout = register_timeout
    mutmut.workers.isolation.register_timeout = register_timeout  # type: ignore[attr-defined]


def main() -> None:
    """mutmut's command line, as `mutmut ...` runs it, with the timeouts installed."""
    install()
    cli(prog_name="mutmut")


if __name__ == "__main__":
    main()
