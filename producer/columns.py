"""A recipient file's header: which column holds the number; the named others are variables."""

import re
from dataclasses import dataclass

# Header names that hold the phone number, Korean and English, compared case-folded with
# spaces, underscores, hyphens and dots removed (so "Phone Number" matches "phonenumber").
PHONE_HEADERS = (
    "phone",
    "mobile",
    "to",
    "number",
    "msisdn",
    "phonenumber",
    "mobilephone",
    "mobilenumber",
    "cellphone",
    "cell",
    "tel",
    "전화번호",
    "휴대폰",
    "핸드폰",
    "휴대폰번호",
    "핸드폰번호",
    "휴대전화",
    "휴대전화번호",
    "연락처",
    "수신번호",
    "수신자번호",
)
_IGNORED = re.compile(r"[\s_\-.]+")


class HeaderError(ValueError):
    """A header that cannot be mapped to a phone column and variables."""


@dataclass(frozen=True, slots=True)
class Columns:
    """The header's names, the phone column's index and each variable's index."""

    names: tuple[str, ...]
    phone: int

    @property
    def variables(self) -> dict[str, int]:
        """Every named column but the phone, by name (unnamed columns carry no variable)."""
        return {name: i for i, name in enumerate(self.names) if name and i != self.phone}


def map_header(names: list[str], phone_column: str | None = None) -> Columns:
    """Find the phone column (by `phone_column`, else by a known name); check names are unique."""
    names = [name.strip() for name in names]
    _check_unique(names)
    if phone_column:
        if phone_column not in names:
            raise HeaderError(f"no column {phone_column!r} in {names}")
        return Columns(tuple(names), names.index(phone_column))
    for index, name in enumerate(names):
        if _IGNORED.sub("", name).casefold() in PHONE_HEADERS:
            return Columns(tuple(names), index)
    raise HeaderError(f"no phone column among {names}; name it with --phone-column")


def _check_unique(names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            raise HeaderError(f"column {name!r} appears twice in the header {names}")
        seen.add(name)
