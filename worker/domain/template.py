"""Message templates with `{name}` placeholders filled from each recipient's variables."""

import re
from collections.abc import Callable, Mapping
from functools import lru_cache

PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_가-힣]+)\}")


class TemplateError(ValueError):
    """A template that cannot be rendered for a recipient."""


def variables(template: str) -> set[str]:
    """The placeholder names a template uses."""
    return set(PLACEHOLDER.findall(template))


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill every `{name}`; raise TemplateError naming the first missing or empty value."""
    fill, names = _compiled(template)
    for name in names:
        if not values.get(name):
            raise TemplateError(f"no value for template variable {name!r}")
    return fill(values)


@lru_cache(maxsize=64)
def _compiled(template: str) -> tuple[Callable[[Mapping[str, str]], str], tuple[str, ...]]:
    """`template` as a `str.format_map` over its names (literal braces escaped), and its names
    in order: a campaign renders every recipient from the same one."""
    parts = PLACEHOLDER.split(template)
    out = [
        f"{{{part}}}" if index % 2 else part.replace("{", "{{").replace("}", "}}")
        for index, part in enumerate(parts)
    ]
    names = tuple(dict.fromkeys(parts[1::2]))
    return "".join(out).format_map, names
