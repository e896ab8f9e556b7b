"""Run callables at the same moment in threads (a barrier), for tests of guards under races."""

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def at_once(*calls: Callable[[], T], timeout: float = 60) -> list[T]:
    """Start every call together and return their results in order; re-raise the first error.

    Each call runs in its own thread (and so takes its own pooled database connection); a
    barrier releases them together, so their statements overlap instead of queueing.
    """
    barrier = threading.Barrier(len(calls))
    results: list[T | None] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], T]) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except BaseException as exc:  # handed to the test thread below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if any(thread.is_alive() for thread in threads):
        raise TimeoutError(f"a call did not return within {timeout} s")
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]
