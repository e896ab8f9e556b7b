"""An advertising message as the law wants it (Information and Communications Network Act,
Art. 50; PROVIDERS.md): it starts with (광고) and the sender's name, and ends with a free
opt-out line (무료수신거부 080… or 무료거부 080…)."""

import re
from dataclasses import dataclass

PREFIX = "(광고)"
# "무료수신거부 080-123-4567", "무료거부 0801234567": the two forms PROVIDERS.md names.
OPT_OUT = re.compile(r"무료\s*(?:수신\s*)?거부\s*:?\s*080[-\s]?\d{3,4}[-\s]?\d{4}")
OPT_OUT_NUMBER = re.compile(r"^080-?\d{3,4}-?\d{4}$")


class AdError(ValueError):
    """An advertisement the law does not allow as it stands; the message says what is missing."""


@dataclass(frozen=True, slots=True)
class AdParts:
    """What the tool may add: the sender's name and the free opt-out number (from settings)."""

    sender_name: str | None = None
    opt_out_number: str | None = None


def complete(template: str, parts: AdParts) -> str:
    """`template` with (광고), the sender's name and the opt-out line added where missing and
    known; AdError naming everything still missing."""
    text = _with_opt_out(_with_prefix(template.strip(), parts), parts)
    missing = problems(text, parts)
    if missing:
        raise AdError("an advertisement needs " + "; ".join(missing))
    return text


def problems(text: str, parts: AdParts) -> list[str]:
    """What `text` lacks to go out as an advertisement (empty: nothing)."""
    found = []
    if not text.startswith(PREFIX):
        found.append(f"to start with {PREFIX} (set BULKSMS_AD__SENDER_NAME to have it added)")
    elif not _named(text, parts.sender_name):
        found.append(f"the sender's name right after {PREFIX} (or BULKSMS_AD__SENDER_NAME)")
    if not OPT_OUT.search(text):
        found.append("a free opt-out line, 무료수신거부 080… (or BULKSMS_AD__OPT_OUT_NUMBER)")
    return found


def _named(text: str, name: str | None) -> bool:
    first_line = text[len(PREFIX) :].split("\n", 1)[0].strip()
    return name in first_line if name else bool(first_line)


def _with_prefix(text: str, parts: AdParts) -> str:
    if parts.sender_name is None or (text.startswith(PREFIX) and _named(text, parts.sender_name)):
        return text
    body = text[len(PREFIX) :].lstrip() if text.startswith(PREFIX) else text
    return f"{PREFIX}{parts.sender_name} {body}"


def _with_opt_out(text: str, parts: AdParts) -> str:
    if parts.opt_out_number is None or OPT_OUT.search(text):
        return text
    if not OPT_OUT_NUMBER.match(parts.opt_out_number):
        raise AdError(f"BULKSMS_AD__OPT_OUT_NUMBER {parts.opt_out_number!r} is not an 080 number")
    return f"{text}\n무료수신거부 {parts.opt_out_number}"
