"""`bulksms suppressions list|add|remove|import`, normalised and never half-stored."""

from pathlib import Path

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from producer.cli import app
from producer.sources import SourceError
from producer.suppression_import import CHUNK, import_suppressions
from tests.envvars import settings_env
from worker.db.models import Suppression


@pytest.fixture()
def cli(pg_url, engine):
    """Run `bulksms suppressions …` on an empty list; (exit code, output on one line)."""
    with engine.begin() as conn:
        conn.execute(delete(Suppression))

    def run(*args: str) -> tuple[int, str]:
        with settings_env({"BULKSMS_DATABASE_URL": pg_url}):
            result = CliRunner().invoke(app, ["suppressions", *args])
        return result.exit_code, " ".join(result.output.split())

    return run


def listed(engine) -> dict[str, tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(select(Suppression.phone, Suppression.reason, Suppression.source))
        return {phone: (reason, source) for phone, reason, source in rows}


def test_add_normalises_and_keeps_an_existing_entry(cli, engine):
    assert cli("add", "010-1234-5678", "+44 7911 123456", "--reason", "asked by phone") == (
        0,
        "2 added to the suppression list, 0 already on it",
    )
    assert cli("add", "+82 10 1234 5678", "--reason", "again")[1] == (
        "0 added to the suppression list, 1 already on it"
    )
    assert listed(engine) == {
        "01012345678": ("asked by phone", "bulksms"),
        "+447911123456": ("asked by phone", "bulksms"),
    }


def test_a_bad_number_changes_nothing(cli, engine):
    code, output = cli("add", "01012345678", "02-123-4567")
    assert (code, output) == (2, "error: 02-****4567 is not a mobile number: nothing was changed")
    assert listed(engine) == {}


def test_remove_normalises_and_names_what_was_not_listed(cli, engine):
    cli("add", "01012345678", "01098765432")
    code, output = cli("remove", "010 1234 5678", "010-5555-0000")
    assert (code, output) == (0, "1 removed from the suppression list; not on it: 010****0000")
    assert set(listed(engine)) == {"01098765432"}


def test_list_masks_numbers_unless_asked_and_searches(cli):
    cli("add", "01012345678", "01098765432", "--reason", "opt-out call")
    code, masked = cli("list")
    assert code == 0
    assert "2 numbers suppressed" in masked and "010****5678" in masked
    assert "01012345678" not in masked and "opt-out call" in masked and "bulksms" in masked
    _, shown = cli("list", "--show-numbers", "--search", "010-9876-5432")
    assert "01098765432" in shown and "01012345678" not in shown
    _, digits = cli("list", "--show-numbers", "--search", "5678", "--limit", "1")
    assert "01012345678" in digits and "01098765432" not in digits
    assert cli("list", "--search", "0000")[1].endswith("no suppressed number holds '0000'")


def test_import_finds_the_phone_column_and_reports_bad_rows(cli, engine, write):
    cli("add", "01011112222")
    body = "이름,휴대폰\n홍,010-1111-2222\n김,+82 10-3333-4444\n이,02-123-4567\n박,010-3333-4444\n"
    code, output = cli("import", str(path := write(body)), "--reason", "080 list")
    assert code == 0, output
    assert output == (
        f"{path}: read 4, added 1, already on the list 2, bad rows 1 "
        "line 4: 02-****4567 is not a mobile number"
    )
    assert listed(engine)["01033334444"] == ("080 list", "csv list.csv")


@pytest.fixture()
def refusing(engine):
    """The database refuses one number (a trigger): an import fails where it meets it."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE FUNCTION refuse_number() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'refused %', NEW.phone; END $$"
            )
        )
        conn.execute(text(
            "CREATE TRIGGER refuse_number BEFORE INSERT ON suppression FOR EACH ROW "
            f"WHEN (NEW.phone = '{REFUSED}') EXECUTE FUNCTION refuse_number()"
        ))  # fmt: skip
    yield REFUSED
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER refuse_number ON suppression"))
        conn.execute(text("DROP FUNCTION refuse_number()"))


REFUSED = "01099999999"


def test_an_import_that_fails_half_way_stores_nothing(engine, write, refusing):
    first = "".join(f"010{n:08d}\n" for n in range(CHUNK + 10))  # one chunk stored, then more
    path = write(f"phone\n{first}{refusing}\n")
    with engine.begin() as conn:
        conn.execute(delete(Suppression))
    with pytest.raises(DBAPIError, match=f"refused {refusing}"):
        import_suppressions(engine, path, "x")
    assert listed(engine) == {}


def test_files_that_cannot_be_imported_say_why(cli, write):
    assert cli("import", str(path := write("phone\n")))[1] == (
        f"error: {path} holds no rows after its header: nothing was added"
    )
    assert cli("import", str(path := write("name,code\nx,1\n", name="b.csv")))[1] == (
        f"error: {path}: no phone column among ['name', 'code']; name it with --phone-column"
    )
    assert cli("import", str(path := write(b"%PDF-1.4\n...", name="c.csv")))[1] == (
        f"error: {path} is not a text file (it looks like a PDF document)"
    )
    with pytest.raises(SourceError):
        import_suppressions(None, Path("/no/such/file.csv"), "x")  # type: ignore[arg-type]
