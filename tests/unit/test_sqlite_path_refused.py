"""A SQLite URL where no database is: refused in one line, nothing created."""

import pytest
from typer.testing import CliRunner

from producer.cli import app
from tests.envvars import settings_env


def run(url: str, *args: str) -> tuple[int, str]:
    with settings_env({"BULKSMS_DATABASE_URL": url}):
        result = CliRunner().invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.parametrize(
    "command",
    [
        ["campaign", "status", "1"],
        ["campaign", "export", "1", "--out", "x.csv"],
        ["campaign", "list"],
        ["suppressions", "list"],
        ["suppressions", "add", "01012345678"],
    ],
)
def test_a_missing_folder_is_refused_and_nothing_is_created(tmp_path, command):
    path = tmp_path / "typo" / "bulksms.db"
    code, output = run(f"sqlite:///{path}", *command)
    assert code == 2
    assert output == (
        f"error: BULKSMS_DATABASE_URL names the SQLite file {path}, whose folder "
        f"{path.parent} does not exist: fix BULKSMS_DATABASE_URL, or run `bulksms db "
        "upgrade` to create the database there"
    )
    assert not path.parent.exists()


def test_a_missing_file_is_refused_and_not_created(tmp_path):
    path = tmp_path / "bulksms.db"
    code, output = run(f"sqlite:///{path}", "campaign", "status", "1")
    assert code == 2
    assert "which does not exist: run `bulksms db upgrade` to create it" in output
    assert not path.exists()


def test_a_file_without_our_tables_says_to_upgrade(tmp_path):
    path = tmp_path / "other.db"
    path.touch()
    code, output = run(f"sqlite:///{path}", "campaign", "status", "1")
    assert code == 2
    assert output == (
        f"error: the database at BULKSMS_DATABASE_URL=sqlite:///{path} has no bulksms "
        "tables (no such table: campaign): run `bulksms db upgrade`"
    )


def test_db_upgrade_creates_the_database_and_its_folder(tmp_path):
    path = tmp_path / "new" / "bulksms.db"
    code, output = run(f"sqlite:///{path}", "db", "upgrade")
    assert code == 0, output
    assert path.is_file()
    missing = run(f"sqlite:///{path}", "campaign", "status", "1")
    assert missing == (2, "error: no campaign with id 1")


def test_commands_without_a_database_still_run(tmp_path):
    code, output = run(f"sqlite:///{tmp_path}/none/x.db", "codes", "explain", "sens", "0")
    assert code == 0, output
