"""Chaos run: a campaign through real workers while processes, broker and provider fail."""

import argparse
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import redis
import requests
from sqlalchemy import Engine, select

from bench.support import free_port, fresh_schema
from config import providers
from scripts import stack

SENDER = "0212345678"
TEMPLATE = "[chaos] 주문하신 상품이 출발했습니다."
CONCURRENCY = 4
COMPLETE_DELAY = 0.5
# The client's read timeout (default 15 s, config/provider_settings.py) is cut like the other
# timers; a lost answer is held longer than it, so the client gives up on a send that the
# provider did record.
READ_TIMEOUT = 4.0
LOST_SECONDS = READ_TIMEOUT + 2.0
RATE_5XX = 0.1
RATE_429 = 0.5
BURST_SECONDS = 3.0
BURST_EVERY = 10.0
CHILD_KILL_EVERY = 3.0
READY_GRACE = 1.0
WORKER_DOWN_SECONDS = 1.5
BROKER_DOWN_SECONDS = 2.0
# What `--faults` may name; each run injects all of them unless told otherwise.
FAULTS = frozenset({"child", "worker", "broker", "5xx", "lost", "429"})
# The fault each timeline action belongs to (storm and calm set the provider's rates).
KIND = {
    "kill_child": "child",
    "kill_worker": "worker",
    "start_worker": "worker",
    "kill_broker": "broker",
    "start_broker": "broker",
    "burst_429": "429",
    "end_429": "429",
}


@dataclass(frozen=True)
class Plan:
    """One chaos run: its size, provider, seed, time limit and the fault schedule's scale."""

    recipients: int = 20_000
    provider: str = "sens"
    seed: int = 1
    time_limit: float = 240.0
    faults: frozenset[str] = FAULTS
    # First sends are spread over this many seconds by the rate limit, so the faults land
    # while batches still go out at any size (2,000 SENS recipients: 1 request/s); the
    # fault schedule is laid out in shares of it.
    spread: float = 20.0

    @property
    def batches(self) -> int:
        """First-send requests the campaign needs."""
        return math.ceil(self.recipients / providers.get(self.provider).max_batch)

    @property
    def rate(self) -> float:
        """Requests/s for the shared limiter: first sends take about `spread` seconds."""
        return max(1.0, self.batches / self.spread)

    @property
    def storm_seconds(self) -> float:
        """How long the faults go on (re-sends and retries come after the first sends)."""
        return 2 * self.spread

    @property
    def group_kills(self) -> int:
        """Whole-worker kills: twice at full size, once at the test's."""
        return 2 if self.recipients >= 10_000 else 1

    @property
    def lost_rate(self) -> float:
        """About three lost answers a run, whatever its size (at least 2 %)."""
        return min(0.1, max(0.02, 3 / (self.batches * 1.2)))


@dataclass(frozen=True, order=True)
class Event:
    """One fault action at `at` seconds after the campaign was created."""

    at: float
    action: str


def timeline(plan: Plan) -> list[Event]:
    """Every fault of the run in time order, child kills jittered by the seed."""
    pick = random.Random(plan.seed)
    events = [Event(0.0, "storm"), Event(plan.storm_seconds, "calm")]
    at = 2.0
    while at < plan.storm_seconds:
        events.append(Event(round(at, 2), "kill_child"))
        at += CHILD_KILL_EVERY * pick.uniform(0.5, 1.5)
    # A restarted worker needs 3-4 s before it takes tasks: the big faults are kept apart.
    for share in (0.2, 0.9)[: plan.group_kills]:
        events.append(Event(share * plan.spread, "kill_worker"))
        events.append(Event(share * plan.spread + WORKER_DOWN_SECONDS, "start_worker"))
    events.append(Event(0.6 * plan.spread, "kill_broker"))
    events.append(Event(0.6 * plan.spread + BROKER_DOWN_SECONDS, "start_broker"))
    burst = 5.0
    while burst + BURST_SECONDS < plan.storm_seconds:
        events += [Event(burst, "burst_429"), Event(burst + BURST_SECONDS, "end_429")]
        burst += BURST_EVERY
    return sorted(e for e in events if KIND.get(e.action, "") in plan.faults | {""})


# Like tests/integration/conftest.py `_fast_settings`: seconds instead of minutes, so polls,
# retries, re-sends, leases and re-publishing all happen within the run. The result deadline
# stays at its default: nothing is expired into a final status while the run watches.
FAST_TIMERS = {
    "BULKSMS_POLL__FIRST_DELAY_SECONDS": "1",
    "BULKSMS_POLL__BACKOFF_SECONDS": "[1, 1, 2]",
    "BULKSMS_POLL__BEAT_INTERVAL_SECONDS": "1",
    "BULKSMS_SEND__RELEASE_INTERVAL_SECONDS": "1",
    "BULKSMS_SEND__RETRY_BACKOFF_SECONDS": "[1, 2]",
    "BULKSMS_SEND__LEASE_SECONDS": "12",
    "BULKSMS_SEND__REPUBLISH_AFTER_SECONDS": "10",
    "BULKSMS_RESEND__BACKOFF_SECONDS": "[2]",
    "BULKSMS_RESEND__BEAT_INTERVAL_SECONDS": "1",
    # Looking up a send whose answer never came: past connect + read timeout (7 s), then
    # every few seconds (settings a worker without reconciling ignores).
    "BULKSMS_SEND__LOOKUP_DELAY_SECONDS": "8",
    "BULKSMS_SEND__LOOKUP_BACKOFF_SECONDS": "[2, 3, 5]",
}


def chaos_env(plan: Plan, db_url: str, broker_port: int, sim_port: int) -> dict[str, str]:
    """Settings of every stack process: this run's stores, one provider, timers in seconds."""
    entry = providers.get(plan.provider)
    prefix = f"BULKSMS_{entry.settings_field.upper()}__"
    values = {
        "BULKSMS_DATABASE_URL": db_url,
        # One private Redis: db 0 the broker, db 1 the limiter and locks. Its restart loses
        # every queued task (the point) and every lock and limiter count with them.
        "BULKSMS_BROKER_URL": f"redis://127.0.0.1:{broker_port}/0",
        "BULKSMS_REDIS_URL": f"redis://127.0.0.1:{broker_port}/1",
        **providers.simulator_env(entry, port=sim_port),
        **_unoffered(plan.provider),
        f"{prefix}READ_TIMEOUT": str(READ_TIMEOUT),
        f"{prefix}LIMITS__RATE_PER_SECOND": str(plan.rate),
        f"{prefix}LIMITS__BURST": str(math.ceil(plan.rate)),
        # A slot of a killed process frees itself after this (above connect + read timeout).
        f"{prefix}LIMITS__IN_FLIGHT_LEASE_SECONDS": "12",
        **FAST_TIMERS,
        "BULKSMS_LOG_LEVEL": "INFO",
    }
    # Nothing of the calling process's BULKSMS_* (a test session's stack) leaks in.
    env = {k: v for k, v in stack.stack_env().items() if not k.startswith("BULKSMS_")}
    return {**env, **values}


def _unoffered(provider: str) -> dict[str, str]:
    """Empty keys for every other provider, so beat neither polls nor lists it."""
    env: dict[str, str] = {}
    for entry in providers.ENTRIES:
        if entry.name != provider:
            prefix = f"BULKSMS_{entry.settings_field.upper()}__"
            env.update({f"{prefix}{key.upper()}": "" for key in entry.simulator.settings})
    return env


class Processes:
    """The run's processes by name, each in its own process group; all stopped at the end."""

    def __init__(self, table: dict[str, stack.Service], run_dir: Path, env: dict[str, str]) -> None:
        self.table, self.run_dir, self.env = table, run_dir, env
        self.live: dict[str, subprocess.Popen[bytes]] = {}
        self.starts: Counter[str] = Counter()
        self._log_from: dict[str, int] = {}  # where the latest start's lines begin

    def start(self, name: str) -> subprocess.Popen[bytes]:
        """Start `name` (again); its log appends to run_dir/<name>.log."""
        self._log_from[name] = self._log(name).stat().st_size if self._log(name).exists() else 0
        self.live[name] = stack.start(self.table[name], self.run_dir, self.env)
        self.starts[name] += 1
        return self.live[name]

    def _log(self, name: str) -> Path:
        return self.run_dir / f"{name}.log"

    def logged(self, name: str, marker: bytes) -> bool:
        """Whether `name` logged `marker` since it was last started."""
        with self._log(name).open("rb") as log:
            log.seek(self._log_from.get(name, 0))
            return marker in log.read()

    def kill(self, name: str) -> bool:
        """SIGKILL `name`'s whole process group and reap it; False when it was not running."""
        process = self.live.pop(name, None)
        if process is None:
            return False
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return True

    def exited(self, name: str) -> bool:
        """True when `name` was started and has since exited by itself."""
        process = self.live.get(name)
        return process is not None and process.poll() is not None

    def pid(self, name: str) -> int | None:
        """The main pid of `name` while it runs."""
        process = self.live.get(name)
        return process.pid if process and process.poll() is None else None

    def stop_all(self) -> None:
        """SIGTERM every group, then SIGKILL what is left (stack.stop_pid); the broker last,
        so the others do not spend their shutdown reconnecting to it."""
        for name in sorted(self.live, key=lambda n: n == "broker"):
            stack.stop_pid(self.live.pop(name).pid, timeout=10)


def direct_children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (a prefork worker's pool processes), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return sorted(found)


def wait_redis(port: int, timeout: float = 10.0) -> None:
    """Wait until the broker answers PING."""
    client = redis.Redis(port=port, socket_timeout=1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with suppress(redis.RedisError):
            if client.ping():
                return
        time.sleep(0.05)
    raise TimeoutError(f"redis-server on port {port} did not answer within {timeout:.0f} s")


def wait_beat(log: Path, timeout: float = 30.0) -> None:
    """Wait for beat's first tick, so its start-up is done before the campaign starts."""
    deadline = time.monotonic() + timeout
    while b"Sending due task" not in log.read_bytes():
        if time.monotonic() > deadline:
            raise TimeoutError(f"beat sent nothing within {timeout:.0f} s; see {log}")
        time.sleep(0.1)


SUPERVISED = ("worker", "beat")


class Injector:
    """Carries out timeline events against the running stack and counts what it did."""

    def __init__(self, plan: Plan, processes: Processes, sim_url: str, broker_port: int) -> None:
        self.plan, self.processes = plan, processes
        self.sim_url, self.broker_port = sim_url, broker_port
        self.counts: Counter[str] = Counter()
        self._pick = random.Random(plan.seed + 1)
        self._ready: dict[int, float] = {}  # worker start number → when it was seen ready

    def fire(self, event: Event) -> None:
        """Run one event's action."""
        getattr(self, f"_{event.action}")()

    def supervise(self) -> list[str]:
        """Restart the worker or beat if it exited by itself, as the deployment's supervisor
        would (docker-compose: restart unless-stopped); the names restarted."""
        restarted = []
        for name in SUPERVISED:
            if self.processes.exited(name):
                self.processes.kill(name)  # reap it, and any pool process it left behind
                self.processes.start(name)
                self.counts[f"{name} exits (restarted)"] += 1
                restarted.append(name)
        return restarted

    def provider_faults(self, **changes: float) -> None:
        """POST /_sim/faults (it restarts the simulator's seeded fault draw)."""
        answer = requests.post(f"{self.sim_url}/_sim/faults", json=changes, timeout=5)
        answer.raise_for_status()

    def _storm(self) -> None:
        faults = self.plan.faults
        self.provider_faults(
            rate_5xx=RATE_5XX if "5xx" in faults else 0.0,
            lost_rate=self.plan.lost_rate if "lost" in faults else 0.0,
            lost_seconds=LOST_SECONDS,
        )

    def _calm(self) -> None:
        self.provider_faults(rate_5xx=0.0, lost_rate=0.0, rate_429=0.0)

    def _burst_429(self) -> None:
        self.provider_faults(rate_429=RATE_429)
        self.counts["429 bursts"] += 1

    def _end_429(self) -> None:
        self.provider_faults(rate_429=0.0)

    def _kill_child(self) -> None:
        pid = self.processes.pid("worker")
        pool = direct_children(pid) if pid and self._worker_settled() else []
        if pool:
            with suppress(ProcessLookupError):
                os.kill(self._pick.choice(pool), signal.SIGKILL)
                self.counts["pool child kills"] += 1

    def _worker_settled(self) -> bool:
        """True once the running worker logged "ready." a second ago or more. A pool process
        killed before that stops the whole worker (billiard: "Could not start worker
        processes"), which the group kills already cover."""
        starts = self.processes.starts["worker"]
        if not self.processes.logged("worker", b" ready.\n"):
            return False
        self._ready.setdefault(starts, time.monotonic())
        return time.monotonic() - self._ready[starts] >= READY_GRACE

    def _kill_worker(self) -> None:
        if self.processes.kill("worker"):
            self.counts["worker group kills"] += 1

    def _start_worker(self) -> None:
        self.processes.start("worker")
        self.counts["worker restarts"] += 1

    def _kill_broker(self) -> None:
        if self.processes.kill("broker"):
            self.counts["broker kills"] += 1

    def _start_broker(self) -> None:
        self.processes.start("broker")
        wait_redis(self.broker_port)
        self.counts["broker restarts"] += 1


@dataclass
class Figures:
    """What one run measured."""

    plan: Plan
    recipients: int = 0
    lost: int = 0
    duplicates: int = 0
    sim_duplicates: int = 0
    unknown: int = 0
    seconds: float | None = None
    campaign_status: str = ""
    statuses: dict[str, int] = field(default_factory=dict)
    injected: dict[str, int] = field(default_factory=dict)
    provider: dict[str, int] = field(default_factory=dict)


UNKNOWN = "unknown"  # being added: sends that could not be reconciled (final, but unsure)


def final_statuses() -> frozenset[str]:
    """The recipient statuses a finished campaign may hold, `unknown` included."""
    from worker.domain.statuses import FINAL_RECIPIENT_STATUSES

    return frozenset({str(s) for s in FINAL_RECIPIENT_STATUSES} | {UNKNOWN})


def campaign_state(engine: Engine, campaign_id: int) -> tuple[str, Any]:
    """(status, completed_at) of the campaign."""
    from worker.db.models import Campaign

    query = select(Campaign.status, Campaign.completed_at).where(Campaign.id == campaign_id)
    with engine.connect() as conn:
        status, completed_at = conn.execute(query).one()
    return status, completed_at


def recipient_rows(engine: Engine, campaign_id: int) -> list[tuple[str, str, int]]:
    """(phone, status, attempts) of every recipient."""
    from worker.db.models import Recipient

    query = select(Recipient.phone, Recipient.status, Recipient.attempts)
    with engine.connect() as conn:
        rows = conn.execute(query.where(Recipient.campaign_id == campaign_id)).all()
    return [(phone, status, attempts) for phone, status, attempts in rows]


def intended_sends(rows: list[tuple[str, str, int]]) -> dict[str, int]:
    """Sends the system meant per number: its attempts, at least 1. A member of a first
    send not yet written back still reads attempts 0; one never sent has sent_to 0 anyway."""
    return {phone: max(attempts, 1) for phone, _, attempts in rows}


def duplicate_sends(intended: Mapping[str, int], sent_to: Mapping[str, int]) -> int:
    """Σ max(0, sent_to[n] − intended[n]), plus any send to a number not in the campaign.

    The authoritative figure: it holds each number to its own attempts, so an extra send to
    one number is never cancelled out by a re-send of another that did not go out.
    """
    extra = sum(max(0, sent_to.get(phone, 0) - n) for phone, n in intended.items())
    return extra + sum(count for phone, count in sent_to.items() if phone not in intended)


def simulator_duplicates(intended: Mapping[str, int], stats: Mapping[str, Any]) -> int:
    """The simulator's repeated (from, to, content) sends less the re-sends the system made.

    A cross-check only: one sum over the campaign, so a lost duplicate and a planned re-send
    that never reached the provider cancel out (it may even go negative).
    """
    return int(stats["duplicate_messages"]) - sum(n - 1 for n in intended.values())


def provider_counts(stats: Mapping[str, Any]) -> dict[str, int]:
    """The simulator's own tallies of the faults it answered with."""
    responses = {int(status): n for status, n in stats["responses"].items()}
    return {
        "provider 5xx answers": sum(n for status, n in responses.items() if status >= 500),
        "provider lost answers": int(stats.get("lost_answers", 0)),
        "provider 429 answers": responses.get(429, 0),
        "requests accepted": int(stats["requests_accepted"]),
        "messages accepted": int(stats["messages_accepted"]),
    }


def measure(
    figures: Figures, engine: Engine, campaign_id: int, stats: Mapping[str, Any], started: float
) -> Figures:
    """Fill `figures` from the database and the simulator's stats at the end of the run."""
    rows = recipient_rows(engine, campaign_id)
    intended = intended_sends(rows)
    figures.statuses = dict(Counter(status for _, status, _ in rows).most_common())
    figures.recipients = len(rows)
    figures.lost = sum(n for s, n in figures.statuses.items() if s not in final_statuses())
    figures.unknown = figures.statuses.get(UNKNOWN, 0)
    figures.duplicates = duplicate_sends(intended, stats["sent_to"])
    figures.sim_duplicates = simulator_duplicates(intended, stats)
    figures.provider = provider_counts(stats)
    figures.campaign_status, completed_at = campaign_state(engine, campaign_id)
    if completed_at is not None:
        figures.seconds = completed_at.timestamp() - started
    return figures


def services(plan: Plan, run_dir: Path, sim_port: int, broker_port: int) -> dict:
    """The stack's commands for this run, with the private broker as one more service."""
    table = stack.services(
        sim_ports={plan.provider: sim_port},
        concurrency=CONCURRENCY,
        beat_schedule=str(run_dir / "celerybeat-schedule"),
        sim_args=[
            *("--seed", str(plan.seed), "--complete-delay", str(COMPLETE_DELAY)),
            *("--recover-after", "1", "--log-level", "WARNING"),
        ],
    )
    server = shutil.which("redis-server")
    if server is None:
        raise RuntimeError("redis-server is not on PATH; the chaos run starts its own broker")
    argv = [server, "--port", str(broker_port), "--bind", "127.0.0.1"]
    table["broker"] = stack.Service("broker", [*argv, "--save", "", "--appendonly", "no"])
    table["simulator"] = table[stack.simulator_name(plan.provider)]
    return table


@contextmanager
def running(plan: Plan, run_dir: Path, db_url: str) -> Iterator[tuple[Processes, Injector]]:
    """Broker, simulator, worker and beat up and answering; every one stopped afterwards."""
    sim_port, broker_port = free_port(), free_port()
    env = chaos_env(plan, db_url, broker_port, sim_port)
    processes = Processes(services(plan, run_dir, sim_port, broker_port), run_dir, env)
    sim_url = f"http://127.0.0.1:{sim_port}"
    try:
        processes.start("broker")
        wait_redis(broker_port)
        processes.start("simulator")
        processes.start("worker")
        stack.wait_http(f"{sim_url}/_sim/health")
        stack.wait_worker(env)
        processes.start("beat")
        wait_beat(run_dir / "beat.log")
        yield processes, Injector(plan, processes, sim_url, broker_port)
    finally:
        processes.stop_all()


def create(plan: Plan, injector: Injector, db_url: str) -> int:
    """The campaign, through the producer API: distinct numbers, one SMS each."""
    from producer.campaigns import create_campaign
    from producer.sources import NumberList
    from producer.spec import CampaignSpec
    from scripts.simulated import simulated_settings

    env = injector.processes.env
    settings = simulated_settings(
        {plan.provider: injector.sim_url},
        database_url=db_url,
        broker_url=env["BULKSMS_BROKER_URL"],
        redis_url=env["BULKSMS_REDIS_URL"],
    )
    numbers = [f"0109{i:07d}" for i in range(plan.recipients)]
    spec = CampaignSpec(name="chaos", sender=SENDER, template=TEMPLATE, provider=plan.provider)
    return create_campaign(spec, NumberList(numbers), settings).campaign_id


Say = Callable[[str], None]


def drive(plan: Plan, injector: Injector, finished: Callable[[], bool], say: Say) -> float | None:
    """Fire the timeline until the campaign finishes or the time limit passes; the seconds
    it took, or None. The provider is calmed whatever happens."""
    pending = timeline(plan)
    started = time.monotonic()
    next_check = 0.0
    try:
        while (now := time.monotonic() - started) < plan.time_limit:
            while pending and pending[0].at <= now:
                event = pending.pop(0)
                say(f"  t={now:5.1f} s  {event.action}")
                injector.fire(event)
            if now >= next_check:
                if finished():
                    return now
                for name in injector.supervise():
                    say(f"  t={now:5.1f} s  {name} had exited: started again")
                next_check = now + 0.5
            time.sleep(0.05)
        return None
    finally:
        with suppress(requests.RequestException):
            injector.provider_faults(rate_5xx=0.0, lost_rate=0.0, rate_429=0.0)


def run(plan: Plan, run_dir: Path | None = None, say: Say = print) -> Figures:
    """One chaos run on a fresh schema and a private broker; the figures."""
    with tempfile.TemporaryDirectory() as folder, fresh_schema() as db_url:
        from worker.db.engine import get_engine

        where = run_dir or Path(folder)
        with running(plan, where, db_url) as (_, injector):
            engine = get_engine(db_url)
            started = time.time()
            campaign_id = create(plan, injector, db_url)
            say(f"campaign {campaign_id}: {plan.recipients:,} recipients via {plan.provider}")

            def finished() -> bool:
                return campaign_state(engine, campaign_id)[0] == "completed"

            drive(plan, injector, finished, say)
            stats = requests.get(f"{injector.sim_url}/_sim/stats", timeout=30).json()
            figures = Figures(plan, injected=dict(injector.counts))
            measure(figures, engine, campaign_id, stats, started)
            engine.dispose()
    return figures


Row = tuple[str, str, str]  # figure, value, note
INJECTED_ROWS = {
    "pool child kills": "SIGKILL",
    "worker group kills": "SIGKILL",
    "worker restarts": "after each group kill",
    "worker exits (restarted)": "exited by itself: restarted like a supervisor",
    "beat exits (restarted)": "exited by itself: restarted like a supervisor",
    "broker restarts": "SIGKILL, then started empty",
}


def rows(f: Figures) -> list[Row]:
    """The table: outcomes against their targets, then what was injected and answered."""
    took = f"{f.seconds:.1f} s" if f.seconds is not None else "not completed"
    statuses = ", ".join(f"{s} {n:,}" for s, n in f.statuses.items())
    out: list[Row] = [
        ("recipients", f"{f.recipients:,}", f"via {f.plan.provider}, seed {f.plan.seed}"),
        ("recipients lost (not final)", f"{f.lost:,}", "target 0"),
        ("duplicate sends", f"{f.duplicates:,}", "target 0; Σ max(0, sent_to − attempts)"),
        ("duplicates, simulator view", f"{f.sim_duplicates:,}", "duplicate_messages − re-sends"),
        ("unknown", f"{f.unknown:,}", "status `unknown`"),
        ("time to complete", took, f"campaign {f.campaign_status}, limit {f.plan.time_limit:g} s"),
        ("statuses", statuses, ""),
    ]
    for name, note in INJECTED_ROWS.items():
        out.append((name, str(f.injected.get(name, 0)), note))
    out.append(("429 bursts", str(f.injected.get("429 bursts", 0)), f"rate_429 {RATE_429:g}"))
    notes = {
        "provider 5xx answers": f"rate_5xx {RATE_5XX:g}",
        "provider lost answers": f"lost_rate {f.plan.lost_rate:.3g}, held {LOST_SECONDS:g} s "
        f"> read timeout {READ_TIMEOUT:g} s",
    }
    out += [(name, f"{n:,}", notes.get(name, "")) for name, n in f.provider.items()]
    return out


def print_table(table: list[Row], out: TextIO = sys.stdout) -> None:
    """One plain-text table."""
    head: Row = ("figure", "value", "note")
    widths = [max(len(row[i]) for row in [head, *table]) for i in range(3)]
    for row in [head, tuple("-" * w for w in widths), *table]:
        line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
        print(line.rstrip(), file=out, flush=True)


def parse_faults(text: str) -> frozenset[str]:
    """`--faults`: all, none, or names from FAULTS."""
    named = {"all": set(FAULTS), "none": set()}.get(text)
    if named is None:
        named = {name.strip() for name in text.split(",") if name.strip()}
    if named - FAULTS:
        raise argparse.ArgumentTypeError(f"unknown faults: {', '.join(sorted(named - FAULTS))}")
    return frozenset(named)


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM and SIGINT unwind, so every process and the broker are stopped (a shell
    starts a background job with SIGINT ignored: it is turned back on here)."""
    raise KeyboardInterrupt


def main() -> None:
    """`python -m bench.chaos [--recipients N] [--provider sens|nhn] [--seed S]`."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=Plan.recipients)
    parser.add_argument("--provider", choices=providers.provider_names(), default=Plan.provider)
    parser.add_argument("--seed", type=int, default=Plan.seed)
    parser.add_argument("--time-limit", type=float, default=Plan.time_limit, help="seconds")
    parser.add_argument("--run-dir", type=Path, help="keep the processes' logs here")
    parser.add_argument(
        "--faults",
        type=parse_faults,
        default=FAULTS,
        help=f"comma-separated subset of {','.join(sorted(FAULTS))}, or all, or none",
    )
    args = parser.parse_args()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _interrupt)
    plan = Plan(args.recipients, args.provider, args.seed, args.time_limit, args.faults)
    figures = run(plan, args.run_dir)
    print()
    print_table(rows(figures))


if __name__ == "__main__":
    main()
