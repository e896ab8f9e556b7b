"""`make mutate`'s timeouts: a child past its deadline gets SIGXCPU; a process that took the
pid of a child that had finished is left alone (mutmut 3.8's own checker signals the pid)."""

import signal
import subprocess
from pathlib import Path

import mutmut.workers.isolation
import mutmut.workers.timeout
import pytest

from scripts.mutmut_run import install, register_timeout

NEXT_PID = Path("/proc/sys/kernel/ns_last_pid")


def _sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen(["sleep", "30"])


def _holder_of(pid: int) -> subprocess.Popen[bytes]:
    """A new process with `pid` (Linux hands out the pid after ns_last_pid; needs root)."""
    for _ in range(50):  # another fork on the machine may take it first
        try:
            NEXT_PID.write_text(str(pid - 1))
        except OSError as exc:
            pytest.skip(f"cannot choose the next pid here: {exc}")
        process = _sleeper()
        if process.pid == pid:
            return process
        process.kill()
        process.wait()
    pytest.fail(f"pid {pid} was never handed out again")


def test_a_child_past_its_deadline_gets_sigxcpu() -> None:
    child = _sleeper()
    register_timeout(child.pid, 0.2)
    assert child.wait(timeout=10) == -signal.SIGXCPU


def test_a_process_holding_a_finished_childs_pid_is_left_alone() -> None:
    finished = _sleeper()
    register_timeout(finished.pid, 0.5)
    finished.kill()
    finished.wait()
    holder = _holder_of(finished.pid)
    later = _sleeper()
    register_timeout(later.pid, 1.0)  # deadlines expire in order: this one after the first
    try:
        assert later.wait(timeout=10) == -signal.SIGXCPU
        assert holder.poll() is None, "the stale deadline signalled the pid's new holder"
    finally:
        holder.kill()
        holder.wait()


def test_install_replaces_the_name_mutmut_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mutmut.workers.isolation, "register_timeout", None)
    monkeypatch.setattr(mutmut.workers.timeout, "register_timeout", None)
    install()
    assert mutmut.workers.isolation.register_timeout is register_timeout
    assert mutmut.workers.timeout.register_timeout is register_timeout
