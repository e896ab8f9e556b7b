"""`bulksms codes explain` and `bulksms codes list`, through the real typer app."""

import pytest
from rich.console import Console
from typer.testing import CliRunner

from producer import codes_cli
from producer.cli import app
from worker.domain.codes import Outcome, catalogue_rows

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    # Wide enough that rich never wraps a phrase the assertions look for.
    monkeypatch.setattr(codes_cli, "console", Console(width=400, no_color=True))


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["codes", *args])
    return result.exit_code, result.output


def test_explain_prints_every_field_and_the_action() -> None:
    code, out = _run("explain", "sens", "2003")
    assert code == 0
    for text in ("Device power off", "report", "retryable", "Handset powered off"):
        assert text in out
    assert "re-sent later with backoff, within the attempt limit and the campaign deadline" in out


def test_explain_suppressed_code_says_the_number_is_suppressed() -> None:
    code, out = _run("explain", "nhn", "3", "--family", "dlr_error")
    assert code == 0
    assert "Absent Subscriber - Permanent" in out
    assert "failed and suppressed: not re-sent, and the number is added to the suppression" in out


def test_explain_shows_every_family_that_has_the_code() -> None:
    code, out = _run("explain", "apiplex", "5")
    assert code == 0
    for text in ("DELIVERED_TO_HANDSET", "EC_UNIDENTIFIED_SUBSCRIBER", "REJECTED", "3 apiplex"):
        assert text in out
    assert "each means something else" in out and "--family" in out


def test_explain_with_family_shows_only_that_family() -> None:
    code, out = _run("explain", "nhn", "0", "--family", "api")
    assert code == 0
    assert "pending: polled again" in out
    assert "dlr_error" not in out


def _fields(out: str) -> dict[str, str]:
    """name → value of the explain table (one row per line: a name, then its value)."""
    pairs = (line.strip().split(maxsplit=1) for line in out.splitlines())
    return {pair[0]: pair[1] for pair in pairs if len(pair) == 2}


def test_explain_fields_of_a_charged_result() -> None:
    code, out = _run("explain", "apiplex", "2", "--family", "result")
    assert code == 0
    fields = _fields(out)
    assert fields["title"] == "DELIVERED_TO_OPERATOR"
    assert fields["meaning"].startswith("Delivered to the carrier")
    assert (fields["family"], fields["class"]) == ("result", "delivered")
    assert (fields["suppress"], fields["charged"]) == ("no", "yes")
    assert fields["reason"].startswith("Delivered to the carrier, not yet to the handset")
    assert fields["system"] == "delivered: nothing more to do"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("explain", "sens", "9999"), "sens has no code '9999'"),
        (("explain", "nhn", "1000", "--family", "api"), "in family api"),
        (("explain", "nhn", "0", "--family", "dlr"), "nhn has no family 'dlr'"),
        (("explain", "acme", "0"), "unknown provider 'acme'"),
        (("list", "--provider", "acme"), "unknown provider 'acme'"),
        (("list", "--provider", "nhn", "--class", "maybe"), "unknown class 'maybe'"),
        (("list", "--provider", "nhn", "--family", "nope"), "nhn has no family 'nope'"),
    ],
)
def test_bad_input_exits_1_with_a_message(args: tuple[str, ...], message: str) -> None:
    code, out = _run(*args)
    assert code == 1
    assert message in out


def test_list_filters_by_class_and_family() -> None:
    code, out = _run("list", "--provider", "nhn", "--class", "retryable", "--family", "dlr_error")
    assert code == 0
    assert "Absent Subscriber - Temporary" in out
    assert "Handset Busy" in out
    assert "Call Barred by User" not in out
    assert "3 codes" in out


def test_list_prints_every_row_of_a_provider() -> None:
    code, out = _run("list", "--provider", "apiplex")
    assert code == 0
    assert f"{len(catalogue_rows('apiplex'))} codes" in out
    assert "EC_TIME_OUT" in out


@pytest.mark.parametrize("provider", ["sens", "nhn", "apiplex"])
def test_list_summary_counts_by_class(provider: str) -> None:
    code, out = _run("list", "--provider", provider, "--summary")
    assert code == 0
    rows = catalogue_rows(provider)
    totals = [sum(r.outcome is o for r in rows) for o in Outcome]
    suppressed = sum(r.suppress for r in rows)
    last = next(line for line in out.splitlines() if line.startswith("│ all "))
    cells = [cell.strip() for cell in last.split("│")[1:-1]]
    assert cells == ["all", *map(str, totals), str(len(rows)), str(suppressed)]
