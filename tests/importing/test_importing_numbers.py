"""The fast path for clean 010 numbers agrees with phonenumbers; other forms take the slow path."""

import random

import pytest

from worker.domain.phones import (
    PhoneError,
    by_phonenumbers,
    fast_kr_mobile,
    normalise,
    region_of,
    split,
)

PREFIXES = [f"{n:03d}" for n in range(1000)]


def _reference(raw: str) -> str | None:
    try:
        return by_phonenumbers(raw)
    except PhoneError:
        return None


@pytest.mark.parametrize("tail_seed", range(3))
def test_fast_path_matches_phonenumbers_on_every_010_prefix(tail_seed):
    generator = random.Random(tail_seed)
    for prefix in PREFIXES:
        digits = f"010{prefix}{generator.randrange(100_000):05d}"
        for raw in (digits, f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"):
            fast = fast_kr_mobile(raw)
            assert fast is None or fast == _reference(raw), raw
            # The fast path only declines numbers phonenumbers refuses too.
            assert fast is not None or _reference(raw) is None, raw


@pytest.mark.parametrize(
    "raw",
    [
        "0101234567",
        "010123456789",
        "011-234-5678",
        "010 1234 5678",
        "０１０１２３４５６７８",
        "010-12345-678",
        "010١٢٣٤٥٦٧٨",
        "+821012345678",
        "01O12345678",
    ],
)
def test_fast_path_declines_other_forms(raw):
    assert fast_kr_mobile(raw) is None


@pytest.mark.parametrize("raw", ["010-5970-1234", "010-5989-0000", "01059991234"])
def test_unassigned_010_ranges_are_invalid_either_way(raw):
    assert fast_kr_mobile(raw) is None
    with pytest.raises(PhoneError, match="not a valid Korean number"):
        normalise(raw)


def test_forms_off_the_fast_path_go_through_phonenumbers():
    forms = {
        "+82 10 1234 5678": "01012345678",
        "82-10-1234-5678": "01012345678",
        "011-234-5678": "0112345678",
        "(010) 1234-5678": "01012345678",
    }
    for raw, expected in forms.items():
        assert fast_kr_mobile(raw) is None
        assert normalise(raw) == expected


def test_international_numbers_keep_their_country_code_when_allowed():
    assert normalise("+1 415 555 0123", international=True) == "+14155550123"
    assert normalise("+44 7400 123456", international=True) == "+447400123456"
    with pytest.raises(PhoneError, match=r"not a Korean number \(\+44\)"):
        normalise("+44 7400 123456")
    with pytest.raises(PhoneError, match="not a mobile number"):
        normalise("+44 20 7946 0000", international=True)


@pytest.mark.parametrize(
    ("stored", "parts"),
    [("01012345678", ("82", "01012345678")), ("+819012345678", ("81", "9012345678")),
     ("+14155550123", ("1", "4155550123")), ("+447911123456", ("44", "7911123456"))],
)  # fmt: skip
def test_a_stored_number_splits_into_country_code_and_the_rest(stored, parts):
    assert split(stored) == parts


@pytest.mark.parametrize(("cell", "region"), [("JP", "JP"), ("jp", "JP"), ("81", "JP"),
                                              ("+44", "GB"), (" 1 ", "US")])  # fmt: skip
def test_a_country_cell_is_a_region_or_a_calling_code(cell, region):
    assert region_of(cell) == region


@pytest.mark.parametrize("cell", ["XX", "999", "Japan", ""])
def test_anything_else_is_not_a_country(cell):
    with pytest.raises(PhoneError, match="neither a region code"):
        region_of(cell)
