"""`bulksms campaign create` refuses a bad spec in one line that names the option to fix."""

from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from config import providers
from producer.cli import app
from producer.times import future_time
from tests.envvars import settings_env

BASE = ["campaign", "create", "--numbers", "01012345678", "--template", "hi"]
# Replaced by a time 3 minutes from when the test runs (not from when it was collected: a
# long run would put it in the past).
SOON = "<soon>"


def _soon() -> str:
    return (datetime.now(UTC) + timedelta(minutes=3)).isoformat(timespec="minutes")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--from", "02"], "--from: sender '02' must be 8 to 12 digits"),
        (["--from", "0212345678", "--at", "2020-01-01 09:00", "--reserve"], "is in the past"),
        (["--from", "0212345678", "--at", "tomorrow"], "'tomorrow' is not a time"),
        (["--from", "0212345678", "--reserve"], "--reserve needs a send time (--at)"),
        (["--from", "0212345678", "--type", "SMS", "--subject", "x"], "an SMS has no subject"),
        (["--from", "0212345678", "--provider", "nope"], "--provider: unknown provider 'nope'"),
        (["--from", "0212345678", "--default-country", "XX"], "--default-country: country 'XX'"),
        (["--from", "0212345678", "--name", ""], "--name: String should have at least 1"),
        (["--from", "0212345678", "--type", "X"], "--type: Input should be 'SMS', 'LMS'"),
        (["--from", "0212345678", "--idempotency-key", ""], "--idempotency-key: String should"),
        (
            ["--from", "0212345678", "--at", "2099-01-02 09:00", "--deadline", "2099-01-01"],
            "--deadline must come after --at",
        ),
        (
            ["--from", "0212345678", "--at", SOON, "--reserve", "--provider", "sens"],
            "--reserve: NAVER Cloud SENS reserves at least 10 min ahead (with 30 s to spare); "
            "--at ",
        ),
    ],
)
def test_bad_specs_fail_with_a_clear_message(extra: list[str], message: str) -> None:
    env: dict[str, str] = {}
    for entry in providers.ENTRIES:
        env.update(providers.simulator_env(entry))
    extra = [_soon() if arg == SOON else arg for arg in extra]
    with settings_env(env):
        result = CliRunner().invoke(app, [*BASE, *extra])
    assert result.exit_code == 2
    flat = " ".join(result.output.split())
    assert message in flat
    assert flat.count("error:") == 1
    for internal in ("errors.pydantic.dev", "Value error", "send_at", "schedule_mode", "sender:"):
        assert internal not in flat


def test_a_send_time_in_the_past_is_refused_in_one_line() -> None:
    result = CliRunner().invoke(app, [*BASE, "--from", "0212345678", "--at", "2020-01-01 09:00"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: --at 2020-01-01 09:00 KST is in the past (it is ")
    assert lines[0].endswith("): give a later time, or leave out --at to send now")


def test_a_future_time_reads_as_korea_time() -> None:
    now = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert future_time("2026-12-24 09:00", "--at", now) == datetime(2026, 12, 24, 0, 0, tzinfo=UTC)
    with pytest.raises(
        ValueError, match=r"^--at 12-01 08:59 KST is in the past \(it is 12-01 09:00"
    ):
        future_time("2026-12-01 08:59", "--at", now)
