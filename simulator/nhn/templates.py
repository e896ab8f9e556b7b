"""templateParameter: each `##key##` in the body (and title) replaced by the recipient's value."""

from typing import Any

from simulator.nhn.results import PARAMETER, NhnError


def parameters(entry: dict[str, Any], where: str) -> dict[str, str]:
    """A recipient's templateParameter as text values ({} when absent)."""
    raw = entry.get("templateParameter")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise NhnError(PARAMETER, f"{where}templateParameter must be an object")
    return {str(key): value if isinstance(value, str) else str(value) for key, value in raw.items()}


def render(text: str, values: dict[str, str]) -> str:
    """`text` with every ##key## of `values` replaced; other ##…## are left as they are."""
    for key, value in values.items():
        text = text.replace(f"##{key}##", value)
    return text
