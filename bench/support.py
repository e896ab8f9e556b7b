"""Shared benchmark helpers: fresh schemas and Redis dbs, CSVs, stack processes, peak RSS."""

import os
import random
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import redis
from sqlalchemy import NullPool, create_engine, text

from scripts.catalogs import vacuum_catalogs

PG_ADMIN_URL = os.environ.get(
    "BULKSMS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_BASE = os.environ.get("BULKSMS_BENCH_REDIS", "redis://127.0.0.1:6379")
NAMES = ("김민준", "이서연", "박지호", "최유진", "정하은", "강도윤", "조서아", "윤시우")
TEMPLATE = "{이름}님, 쿠폰 {쿠폰} 이 발급되었습니다."


def generate(path: Path, rows: int, seed: int = 1) -> None:
    """A UTF-8 CSV of `rows` recipients: mixed number forms, ~1% repeats, ~0.5% bad numbers."""
    pick = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("이름,전화번호,쿠폰\n")
        for i in range(rows):
            handle.write(f"{pick.choice(NAMES)},{_number(pick, i)},C{i:08d}\n")


def _number(pick: random.Random, i: int) -> str:
    draw = pick.random()
    serial = i if draw > 0.01 else pick.randrange(max(i, 1))  # ~1% repeat an earlier number
    digits = f"{serial % 100_000_000:08d}"
    if draw > 0.995:
        return f"02-{digits[:3]}-{digits[3:7]}"  # landline: rejected
    if draw > 0.98:
        return f"+82 10 {digits[:4]} {digits[4:]}"  # slow path through phonenumbers
    if draw > 0.5:
        return f"010-{digits[:4]}-{digits[4:]}"
    return f"010{digits}"


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A URL on a new, migrated schema, dropped afterwards."""
    from worker.db import migrate

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, poolclass=NullPool)
    vacuum_catalogs(admin)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{PG_ADMIN_URL}?options={quote(f'-csearch_path={schema}')}"
        migrate.upgrade(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def fresh_redis(db: int) -> str:
    """The URL of Redis database `db`, emptied first (benchmarks own dbs 12 and 13)."""
    url = f"{REDIS_BASE}/{db}"
    redis.Redis.from_url(url).flushdb()
    return url


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children(pid: int) -> list[int]:
    """`pid` and every process below it (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def peak_rss_mb(pid: int) -> float:
    """VmHWM (the peak resident set) of `pid` in MB; 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class RssWatch:
    """Samples the peak RSS of named process trees every `interval` s, in a thread."""

    def __init__(self, roots: dict[str, int], interval: float = 0.5) -> None:
        self.roots = roots
        self.peaks: dict[str, float] = {}
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "RssWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.sample()

    def sample(self) -> None:
        """Each tree's root as `name`, its descendants as `name/child` (the largest one)."""
        for name, root in self.roots.items():
            for pid in children(root):
                key = name if pid == root else f"{name}/child"
                self.peaks[key] = max(self.peaks.get(key, 0.0), peak_rss_mb(pid))


def _stat(pid: int) -> tuple[str, float]:
    """(command name, user + system CPU seconds) of `pid`."""
    text = Path(f"/proc/{pid}/stat").read_text()
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text.rsplit(")", 1)[1].split()
    return name, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_by_role(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named process tree, and of PostgreSQL and Redis."""
    owner: dict[int, str] = {}
    for name, root in roots.items():  # a tree listed earlier keeps its processes
        for pid in children(root):
            owner.setdefault(pid, name if pid == root else f"{name}/children")
    used: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name, seconds = _stat(int(entry.name))
        except (OSError, ValueError):
            continue
        role = owner.get(int(entry.name)) or {"postgres": "postgres", "redis-server": "redis"}.get(
            name
        )
        if role:
            used[role] = used.get(role, 0.0) + seconds
    return used
