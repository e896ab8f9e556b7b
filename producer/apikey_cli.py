"""`bulksms apikey create|list|revoke`: keys of the HTTP API."""

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from config.settings import get_settings
from producer.apikeys import create_key, revoke_key
from worker.db import apikeys
from worker.db.engine import get_engine

apikey_app = typer.Typer(help="Keys of the HTTP API (shown once, stored as a hash).")
console = Console()


@apikey_app.command("create")
def apikey_create(name: Annotated[str, typer.Argument(help="Who or what uses the key.")]) -> None:
    """Make a key and print it once: it is stored only as a hash."""
    key = create_key(get_engine(get_settings().database_url), name)
    console.print(f"API key for {name!r} (shown once; send it as Authorization: Bearer <key>):")
    print(key)


@apikey_app.command("list")
def apikey_list() -> None:
    """Every key's name, when it was made and whether it was revoked (never the key)."""
    with get_engine(get_settings().database_url).connect() as conn:
        rows = apikeys.listed(conn)
    table = Table("name", "created", "revoked")
    for row in rows:
        revoked = row.revoked_at.isoformat(timespec="seconds") if row.revoked_at else ""
        table.add_row(row.name, row.created_at.isoformat(timespec="seconds"), revoked)
    console.print(table)


@apikey_app.command("revoke")
def apikey_revoke(name: str) -> None:
    """Revoke every key of `name`: its calls get 403 from now on."""
    count = revoke_key(get_engine(get_settings().database_url), name)
    if not count:
        console.print(f"no active key named {name!r}")
        raise typer.Exit(1)
    console.print(f"revoked {count} key(s) of {name!r}")
