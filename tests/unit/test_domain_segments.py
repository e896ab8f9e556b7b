"""International SMS parts (PROVIDERS.md, API PLEX: GSM-7 160/153, UCS-2 70/67)."""

import pytest

from worker.domain.segments import encoding_of, segments


@pytest.mark.parametrize(
    ("text", "encoding", "units", "parts"),
    [
        ("", "GSM-7", 0, 1),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # an extension character takes two septets
        ("€" * 81, "GSM-7", 162, 2),
        ("가" * 70, "UCS-2", 70, 1),
        ("가" * 71, "UCS-2", 71, 2),
        ("가" * 134, "UCS-2", 134, 2),
        ("가" * 135, "UCS-2", 135, 3),
        ("😀" * 35, "UCS-2", 70, 1),  # outside the BMP: two code units each
        ("😀" * 36, "UCS-2", 72, 2),
    ],
)
def test_parts_at_each_edge(text: str, encoding: str, units: int, parts: int) -> None:
    found = segments(text)
    assert (found.encoding, found.units, found.parts) == (encoding, units, parts)


def test_one_character_outside_gsm7_makes_the_whole_text_ucs2() -> None:
    assert encoding_of("Your code is 1234") == "GSM-7"
    assert encoding_of("Your code is 1234 — thanks") == "UCS-2"
    assert segments("a" * 100 + "ç").parts == 2  # ç is not in GSM-7 (Ç is): 101 > 70
