"""Korean mobile number normalisation and masking."""

import re

import pytest

from worker.domain import phones
from worker.domain.phones import PhoneError, by_phonenumbers, mask, normalise


@pytest.mark.parametrize(
    "raw",
    [
        "010-1234-5678",
        "01012345678",
        "010 1234 5678",
        "(010) 1234-5678",
        "+82 10 1234 5678",
        "+82-10-1234-5678",
        "+821012345678",
        "82-10-1234-5678",
        "8201012345678",
        "  010-1234-5678  ",
        "０１０－１２３４－５６７８",  # full-width digits and hyphens
        "０１０１２３４５６７８",
    ],
)
def test_normalises_to_sens_form(raw: str) -> None:
    assert normalise(raw) == "01012345678"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("011-234-5678", "0112345678"),  # ten-digit legacy mobile prefix
        ("019-9876-5432", "01998765432"),
        ("+82 10 9876 5432", "01098765432"),
    ],
)
def test_other_mobile_numbers(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("02-123-4567", "not a mobile number"),  # Seoul landline
        ("031-123-4567", "not a mobile number"),
        ("070-1234-5678", "not a mobile number"),  # VoIP
        ("+1 202 555 0100", r"not a Korean number \(\+1\)"),
        ("+81 90 1234 5678", r"not a Korean number \(\+81\)"),
        ("not a number", "not a phone number"),
        ("010-1234-56789", "not a valid Korean number"),
    ],
)
def test_refused(raw: str, reason: str) -> None:
    with pytest.raises(PhoneError, match=reason):
        normalise(raw)


@pytest.mark.parametrize("raw", ["", "   ", "\t\n"])
def test_empty_is_refused(raw: str) -> None:
    with pytest.raises(PhoneError, match="empty phone number"):
        normalise(raw)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@pytest.mark.parametrize(
    "raw",
    [
        "02-123-4567",
        "031-123-4567",
        "070-1234-5678",
        "+1 202 555 0100",
        "+81 90 1234 5678",
        "010-1234-56789",
        "not a number",
    ],
)
def test_error_never_holds_the_full_number(raw: str) -> None:
    with pytest.raises(PhoneError) as info:
        normalise(raw)
    message = str(info.value)
    assert raw.strip() not in message
    if _digits(raw):
        assert _digits(raw) not in _digits(message)
    assert "*" in message


@pytest.mark.parametrize("raw", ["010-123", "0101234", "12345"])
def test_error_never_holds_a_short_number_in_full(raw: str) -> None:
    # Short input is still personal data: the message must hide part of it too.
    with pytest.raises(PhoneError) as info:
        normalise(raw)
    assert raw not in str(info.value)
    assert "*" in str(info.value)


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("01012345678", "010****5678"),
        ("0101234567", "010***4567"),
        ("010-1234-5678", "010******5678"),
        ("  01012345678 ", "010****5678"),
        ("1234", "****"),
        ("12", "**"),
        ("", ""),
    ],
)
def test_mask(number: str, masked: str) -> None:
    assert mask(number) == masked


@pytest.mark.parametrize("number", ["12345", "123456", "1234567", "010-123"])
def test_mask_always_hides_something(number: str) -> None:
    masked = mask(number)
    assert masked != number
    assert "*" in masked
    assert len(masked) == len(number)


def test_mask_keeps_the_last_four_digits_of_a_mobile_number() -> None:
    masked = mask("01098765432")
    assert masked.endswith("5432")
    assert "9876" not in masked


def test_phone_error_is_a_value_error() -> None:
    assert issubclass(PhoneError, ValueError)


def test_a_clean_010_number_never_reaches_phonenumbers(monkeypatch) -> None:
    def slow_path(*_: object) -> str:
        raise AssertionError("the fast path should have taken it")

    monkeypatch.setattr(phones, "by_phonenumbers", slow_path)
    assert normalise("010-1234-5678") == "01012345678"


def test_a_number_of_another_region_is_read_in_that_region() -> None:
    # In Japan 010 dials abroad: 010-1234-5678 there is +1 2345678, not a Korean mobile.
    with pytest.raises(PhoneError, match=r"^010\*+5678 is not a valid \+1 number$"):
        normalise("010-1234-5678", international=True, region="JP")


def test_an_invalid_foreign_number_names_its_country_code() -> None:
    with pytest.raises(PhoneError, match=r"^\+81\*+1234 is not a valid \+81 number$"):
        normalise("+81 90 1234", international=True)


def test_by_phonenumbers_sends_to_korean_numbers_only_unless_told() -> None:
    with pytest.raises(PhoneError, match=r"not a Korean number \(\+81\)"):
        by_phonenumbers("+81 90 1234 5678")
    assert by_phonenumbers("+81 90 1234 5678", international=True) == "+819012345678"


def test_what_phonenumbers_cannot_parse_is_refused_masked() -> None:
    with pytest.raises(PhoneError, match=r"^\*\* is not a phone number \("):
        normalise("+0")


def test_a_region_code_starting_with_x_is_read_whole() -> None:
    # Kosovo's XK: only a leading "+" is stripped from a country cell, never its letters.
    assert phones.region_of("XK") == "XK"
    assert phones.region_of(" +383 ") == "XK"
