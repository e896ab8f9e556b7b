"""`bulksms campaign create` when the broker is not there: before anything is stored, one
line and nothing stored; once the campaign is stored, the import completes, the command says
the campaign starts when the broker is back, and beat hands it to the workers then.

The CLI runs as a process of its own against a broker the test starts and kills. It reads
its CSV from a named pipe, so the test decides what the import has read when the broker goes.
"""

import fcntl
import os
import subprocess
import time
from pathlib import Path
from typing import IO

import pytest
import redis
from sqlalchemy import Engine, func, select, text, update

import simulator.outcomes
from producer.textlines import BLOCK
from scripts import stack
from tests.integration.conftest import SEED, Stack, wait_until
from tests.own_broker import closing_server, free_port, own_redis
from worker.db.models import Batch, Campaign

pytestmark = pytest.mark.integration

BULKSMS = str(stack.BIN / "bulksms")
TEMPLATE = "broker test {memo}"
MEMO = "m" * 40
STORED = "is stored and starts when the broker is back (beat queues it again)"


def cli_env(base: dict[str, str], broker_url: str) -> dict[str, str]:
    return {**base, "BULKSMS_BROKER_URL": broker_url}


def create_command(name: str, csv: Path | None = None) -> list[str]:
    source = ["--csv", str(csv)] if csv else ["--numbers", "01012345678"]
    options = ["--from", "0212345678", "--template", TEMPLATE if csv else "hi", "--name", name]
    return [BULKSMS, "campaign", "create", *source, *options]


def campaign_of(engine: Engine, name: str) -> Campaign | None:
    with engine.connect() as conn:
        return conn.execute(select(Campaign).where(Campaign.name == name)).first()


@pytest.mark.parametrize("broker", ["redis-closed", "amqp-closed", "redis-hangs-up"])
def test_a_broker_unreachable_at_the_start_stores_nothing(
    broker: str, app_env: dict[str, str], engine: Engine
) -> None:
    name = f"unreachable-{broker}"
    with closing_server() as hangs_up:
        url = {
            "redis-closed": f"redis://127.0.0.1:{free_port()}/0",
            "amqp-closed": f"amqp://guest:secret@127.0.0.1:{free_port()}//",
            "redis-hangs-up": f"redis://127.0.0.1:{hangs_up}/0",
        }[broker]
        env = cli_env({**os.environ, **stack.simulators_env()}, url)
        done = subprocess.run(create_command(name), env=env, capture_output=True, text=True)
    assert done.returncode == 2
    [line] = done.stdout.splitlines()
    assert line.startswith("error: the broker at ") and "nothing was stored" in line, line
    assert "secret" not in line
    assert "Traceback" not in done.stdout + done.stderr
    assert campaign_of(engine, name) is None


class Feed:
    """The CLI's CSV, written through a named pipe a part at a time."""

    def __init__(self, path: Path, process: subprocess.Popen[str]) -> None:
        os.mkfifo(path)
        self.process = process
        self.path = path
        self._pipe: IO[str] | None = None

    def write(self, text_: str) -> None:
        if self._pipe is None:
            self._pipe = self._open()
        self._pipe.write(text_)
        self._pipe.flush()

    def close(self) -> None:
        if self._pipe is not None:
            self._pipe.close()

    def _open(self) -> IO[str]:
        """The pipe's writing end, once the CLI opened the other (unless it ended first)."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # no reader yet
                time.sleep(0.05)
                continue
            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
            return os.fdopen(fd, "w", encoding="utf-8")
        raise AssertionError(f"the CLI never opened its CSV: {self.process.communicate()}")


def rows(numbers: list[str]) -> str:
    return "".join(f"{number},{MEMO}\n" for number in numbers)


# What the import still reads after the broker is gone: more rows (their chunk's hand-over
# fails, and the last one is not tried again so soon), or nothing (the last hand-over fails).
TAILS = {"during-the-import": 600, "at-the-last-hand-over": 0}


@pytest.mark.parametrize("when", list(TAILS))
def test_a_broker_lost_after_the_campaign_was_stored_leaves_it_to_beat(
    when: str, running_stack: Stack, engine: Engine, tmp_path: Path
) -> None:
    name = f"broker-lost-{when}"
    prefix = f"0105{list(TAILS).index(when)}"
    numbers = [f"{prefix}{i:06d}" for i in range(2000 + TAILS[when])]
    with own_redis() as (url, broker):
        process = subprocess.Popen(
            create_command(name, tmp_path / "list.csv"),
            env=cli_env(running_stack.env, url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        feed = Feed(tmp_path / "list.csv", process)
        # The first chunk, then blank lines (skipped) past the two blocks the import reads
        # before it parses the first.
        first = "phone,memo\n" + rows(numbers[:2000])
        feed.write(first + "\n" * (2 * BLOCK + 1 - len(first)))
        planning = redis.Redis.from_url(url)
        assert wait_until(lambda: planning.llen("plan") == 1, 30), process.poll()
        broker.kill()  # the first chunk's planning goes down with it
        broker.wait()
        feed.write(rows(numbers[2000:]))
        feed.close()
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, out + err
    assert "Traceback" not in out + err
    campaign = campaign_of(engine, name)
    assert campaign is not None and campaign.status == "queued"
    assert campaign.total_recipients == len(numbers) and campaign.imported_at is not None
    assert [line for line in out.splitlines() if STORED in line] == [
        f"campaign {campaign.id} {STORED}; the broker went away while it was being created"
    ]
    _beat_grace_passes(engine, campaign.id)
    done = wait_until(lambda: _status(engine, name) == "completed", 90)
    assert done, running_stack.logs()
    _sent_once(running_stack, engine, campaign.id, numbers)


def _status(engine: Engine, name: str) -> str | None:
    campaign = campaign_of(engine, name)
    return campaign.status if campaign else None


def _beat_grace_passes(engine: Engine, campaign_id: int) -> None:
    """Beat plans a campaign again once it was queued 2 minutes without planning starting
    (worker/tasks/campaigns.py); move its queue time back instead of waiting."""
    with engine.begin() as conn:
        conn.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id)
            .values(queued_at=Campaign.queued_at - text("interval '3 minutes'"))
        )


def _sent_once(stack_: Stack, engine: Engine, campaign_id: int, numbers: list[str]) -> None:
    """Each number sent once, a transient failure's once more; every batch cut once."""
    sent = stack_.sim_stats()["sent_to"]
    transient = simulator.outcomes.TRANSIENT
    expected = {n: 2 if simulator.outcomes.code_for(SEED, n) in transient else 1 for n in numbers}
    assert {n: sent.get(n) for n in numbers} == expected
    with engine.connect() as conn:
        first = conn.execute(
            select(func.count()).where(Batch.campaign_id == campaign_id, Batch.attempt == 1)
        ).scalar_one()
    assert first == -(-len(numbers) // 100)
