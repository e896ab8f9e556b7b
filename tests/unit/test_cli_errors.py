"""`bulksms campaign create` refuses a bad spec up front with one clear line, writing nothing."""

import pytest
from typer.testing import CliRunner

from producer.cli import app

BASE = ["campaign", "create", "--numbers", "01012345678", "--template", "hi"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--from", "02"], "sender: sender '02' must be 8 to 12 digits"),
        (["--from", "0212345678", "--at", "2020-01-01 09:00", "--reserve"], "is in the past"),
        (["--from", "0212345678", "--at", "tomorrow"], "'tomorrow' is not a time"),
        (["--from", "0212345678", "--reserve"], "--reserve needs a send time (--at)"),
        (["--from", "0212345678", "--type", "SMS", "--subject", "x"], "an SMS has no subject"),
    ],
)
def test_bad_specs_fail_with_a_clear_message(extra: list[str], message: str) -> None:
    result = CliRunner().invoke(app, [*BASE, *extra])
    assert result.exit_code == 2
    flat = " ".join(result.output.split())
    assert message in flat
    assert "errors.pydantic.dev" not in flat and "Value error" not in flat
