"""A PostgreSQL URL that cannot be used: one line with the driver's reason, exit 2."""

import uuid
from urllib.parse import quote

import pytest
from sqlalchemy import NullPool, create_engine, make_url, text
from typer.testing import CliRunner

from producer.cli import app
from tests.conftest import PG_ADMIN_URL
from tests.envvars import settings_env

ADMIN = make_url(PG_ADMIN_URL)


def run(url: str, *args: str) -> tuple[int, str]:
    with settings_env({"BULKSMS_DATABASE_URL": url}):
        result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (ADMIN.set(port=1), "Connection refused"),
        (ADMIN.set(database="bulksms_no_such_db"), 'database "bulksms_no_such_db" does not exist'),
        (ADMIN.set(username="bulksms_nobody", password="x"), 'role "bulksms_nobody"'),
        (ADMIN.set(host="no-such-host.invalid"), "failed to resolve host"),
    ],
)
@pytest.mark.parametrize("command", [["campaign", "status", "1"], ["db", "upgrade"]])
def test_a_database_that_cannot_be_reached_is_one_line(url, reason, command):
    code, output = run(url.render_as_string(hide_password=False), *command)
    assert code == 2
    shown = url.render_as_string(hide_password=True)
    assert output.startswith(
        f"error: cannot connect to the database at BULKSMS_DATABASE_URL={shown}: "
    )
    assert reason in output and output.endswith("; fix BULKSMS_DATABASE_URL")
    assert "Traceback" not in output and "password=x" not in output


def test_a_database_without_our_tables_says_to_upgrade():
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{PG_ADMIN_URL}?options={quote(f'-csearch_path={schema}')}"
        code, output = run(url, "campaign", "list")
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    assert code == 2
    assert output.endswith('has no bulksms tables (relation "campaign" does not exist): '
                           "run `bulksms db upgrade`")  # fmt: skip
