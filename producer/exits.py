"""How a command ends on a problem the user can fix: one line on the terminal, exit code 2."""

from typing import NoReturn

import typer
from rich.console import Console

console = Console()


def fail(message: str) -> NoReturn:
    """Print `message` as one error line (however long) and end the command with code 2."""
    console.print(f"[red]error:[/red] {message}", soft_wrap=True)
    raise typer.Exit(code=2)
