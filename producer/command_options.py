"""Options several typer commands share, declared once as the parameters of one function."""

import functools
import inspect
from collections.abc import Callable
from typing import Any

Command = Callable[..., None]


def with_options(options: Callable[..., Any]) -> Callable[[Command], Command]:
    """Give a command `options`' parameters as well as its own: typer reads the joined
    signature, and the command gets what `options` made of them as its first argument."""
    shared = inspect.signature(options, eval_str=True).parameters

    def wrap(command: Command) -> Command:
        own = list(inspect.signature(command, eval_str=True).parameters.values())[1:]

        @functools.wraps(command)
        def run(**given: Any) -> None:
            made = options(**{name: given.pop(name) for name in shared})
            command(made, **given)

        # Typer reads __signature__; parameters with defaults follow those without.
        joined = sorted([*shared.values(), *own], key=lambda p: p.default is not p.empty)
        run.__signature__ = inspect.Signature(joined)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in joined}
        return run

    return wrap
