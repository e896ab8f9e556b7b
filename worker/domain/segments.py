"""How many SMS parts an international message takes: GSM-7 or UCS-2 (3GPP TS 23.038).

PROVIDERS.md (API PLEX): GSM-7 holds 160 characters in one part and 153 in each part of a
longer message; UCS-2 holds 70, and 67 a part. A GSM-7 extension character (€, [, ] …) takes
two septets; a UCS-2 character outside the Basic Multilingual Plane takes two code units.
"""

from dataclasses import dataclass

# The GSM 03.38 default alphabet (one septet each).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Its extension table (an escape septet, then the character: two septets each).
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

SINGLE = {"GSM-7": 160, "UCS-2": 70}
MULTI = {"GSM-7": 153, "UCS-2": 67}


@dataclass(frozen=True, slots=True)
class Segments:
    """A text's encoding, its length in that encoding's units, and the parts it takes."""

    encoding: str
    units: int
    parts: int


def encoding_of(text: str) -> str:
    """GSM-7 when every character is in the default alphabet or its extension, else UCS-2."""
    gsm = all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)
    return "GSM-7" if gsm else "UCS-2"


def units(text: str, encoding: str) -> int:
    """Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes."""
    if encoding == "GSM-7":
        return sum(2 if c in GSM7_EXTENSION else 1 for c in text)
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> Segments:
    """The parts an international SMS of `text` is sent in (at least one)."""
    encoding = encoding_of(text)
    length = units(text, encoding)
    if length <= SINGLE[encoding]:
        return Segments(encoding, length, 1)
    return Segments(encoding, length, -(-length // MULTI[encoding]))
