"""Message templates with `{name}` placeholders filled from each recipient's variables."""

import re
from collections.abc import Mapping

PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_가-힣]+)\}")


class TemplateError(ValueError):
    """A template that cannot be rendered for a recipient."""


def variables(template: str) -> set[str]:
    """The placeholder names a template uses."""
    return set(PLACEHOLDER.findall(template))


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill every `{name}`; raise TemplateError naming the first missing or empty value."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name)
        if value is None or value == "":
            raise TemplateError(f"no value for template variable {name!r}")
        return str(value)

    return PLACEHOLDER.sub(fill, template)
