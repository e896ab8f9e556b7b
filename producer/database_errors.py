"""A database the command cannot use, said in one line naming BULKSMS_DATABASE_URL and the fix."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Engine, event, exc
from sqlalchemy.engine import make_url
from typer.core import TyperGroup

from config.settings import get_settings
from producer.exits import fail

VARIABLE = "BULKSMS_DATABASE_URL"
UPGRADE = "run `bulksms db upgrade`"
# PostgreSQL's codes for a missing table and a missing column: the schema was never created
# here, or is older than this version.
NO_SCHEMA_STATES = ("42P01", "42703")
NO_SCHEMA_TEXTS = ("no such table", "no such column", "has no column named")
_may_create: ContextVar[bool] = ContextVar("may_create", default=False)


class DatabaseGuard(TyperGroup):
    """The top command group: any command that meets an unusable database ends with one line
    and exit code 2; every other error is left as it is."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a database error it explains becomes one line and exit 2."""
        event.listen(Engine, "do_connect", _refuse_missing_file)
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as error:
            message = explain(error)
            if message is None:
                raise
            fail(message)
        finally:
            event.remove(Engine, "do_connect", _refuse_missing_file)


def explain(error: BaseException) -> str | None:
    """The line for a database that cannot be used, or None for any other error. The error
    may be wrapped (an import that stopped names its cause)."""
    for found in _chain(error):
        if isinstance(found, MissingDatabase):
            return str(found)
        if isinstance(found, exc.DBAPIError):
            return _explained(found)
    return None


class MissingDatabase(LookupError):
    """BULKSMS_DATABASE_URL names a SQLite file that does not exist."""


@contextmanager
def creating_database() -> Iterator[None]:
    """Within: a SQLite file that does not exist may be created (`bulksms db upgrade`)."""
    token = _may_create.set(True)
    try:
        yield
    finally:
        _may_create.reset(token)


def _refuse_missing_file(dialect: Any, _record: Any, cargs: list[Any], _params: Any) -> None:
    """Before SQLite connects: it would create an empty file wherever a typo points."""
    if dialect.name != "sqlite" or _may_create.get() or not cargs:
        return
    path = Path(str(cargs[0]))
    if str(path) in ("", ":memory:") or str(path).startswith("file:") or path.is_file():
        return
    if not path.parent.is_dir():
        raise MissingDatabase(
            f"{VARIABLE} names the SQLite file {path}, whose folder {path.parent} does not "
            f"exist: fix {VARIABLE}, or {UPGRADE} to create the database there"
        )
    raise MissingDatabase(f"{VARIABLE} names the SQLite file {path}, which does not exist: "
                          f"{UPGRADE} to create it, or fix {VARIABLE}")  # fmt: skip


def _explained(error: exc.DBAPIError) -> str | None:
    where = f"{VARIABLE}={_safe(get_settings().database_url)}"
    if _no_schema(error):
        return f"the database at {where} has no bulksms tables ({_reason(error)}): {UPGRADE}"
    if isinstance(error, exc.OperationalError) and error.statement is None:
        # Raised while connecting (no statement ran): host, port, user, password or name.
        return f"cannot connect to the database at {where}: {_reason(error)}; fix {VARIABLE}"
    return None


def _no_schema(error: exc.DBAPIError) -> bool:
    if getattr(error.orig, "sqlstate", None) in NO_SCHEMA_STATES:
        return True
    text = str(error.orig).lower()
    return isinstance(error, exc.OperationalError) and any(t in text for t in NO_SCHEMA_TEXTS)


def _reason(error: exc.DBAPIError) -> str:
    """The driver's own words, short: `Connection refused`, `database "x" does not exist`."""
    first = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else ""
    short = first.rsplit(" failed: ", 1)[-1].removeprefix("connection failed: ")
    return short.removeprefix("FATAL:").strip() or type(error.orig).__name__


def _safe(url: str) -> str:
    """The URL with its password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__
