"""Phone numbers kept compactly: a digit string of up to 18 digits packs into one 64-bit int."""

from array import array
from collections.abc import Iterable, Iterator

MAX_PACKED_DIGITS = 18  # "1" + 18 digits < 2^63


def pack(number: str) -> int:
    """`number` as a non-zero int ("1" in front keeps leading zeros); 0 when it cannot pack."""
    if 0 < len(number) <= MAX_PACKED_DIGITS and number.isascii() and number.isdigit():
        return int("1" + number)
    return 0


def unpack(code: int) -> str:
    """The digit string `pack` turned into `code`."""
    return str(code)[1:]


class NumberList:
    """An append-only list of numbers, 8 bytes each; anything that does not pack kept aside."""

    __slots__ = ("_codes", "_odd")

    def __init__(self, numbers: Iterable[str] = ()) -> None:
        self._codes = array("Q")
        self._odd: dict[int, str] = {}
        for number in numbers:
            self.append(number)

    def append(self, number: str) -> None:
        """Add `number` at the end."""
        code = pack(number)
        if code == 0:
            self._odd[len(self._codes)] = number
        self._codes.append(code)

    def __len__(self) -> int:
        return len(self._codes)

    def __getitem__(self, index: int) -> str:
        code = self._codes[index]
        return unpack(code) if code else self._odd[index % len(self._codes)]

    def __iter__(self) -> Iterator[str]:
        for index in range(len(self._codes)):
            yield self[index]
