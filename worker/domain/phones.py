"""Phone numbers: normalisation (a fast path for clean 010 numbers, phonenumbers for the rest)
and masking for logs."""

import re
import unicodedata

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

KOREA = "KR"
KOREA_CODE = 82
# What people write around digits; NFKC has already turned full-width digits into ASCII.
ALLOWED = re.compile(r"^[0-9+\-(). ]+$")
_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


class PhoneError(ValueError):
    """A number that cannot receive an SMS."""


def fast_kr_mobile(raw: str) -> str | None:
    """`01012345678` for a clean `010` number (`01012345678`, `010-1234-5678`), else None.

    Equivalent to `by_phonenumbers` on the forms it accepts (tests/importing compare them over
    every 010-ABC prefix): in phonenumbers' KR metadata (9.0.x) a ten-digit national number
    `10ABCDEFGH` matches no type checked before MOBILE, matches no FIXED_LINE pattern, and
    matches MOBILE unless it starts `1059[7-9]` (mobile: `105(?:[0-8]\\d|9[0-6])\\d{4,5}` |
    `10[0-46-9]\\d{6,7}`). Anything else returns None and goes through phonenumbers.
    """
    if len(raw) == 13 and raw[3] == "-" and raw[8] == "-":
        raw = raw[:3] + raw[4:8] + raw[9:]
    if len(raw) != 11 or not raw.startswith("010") or not (raw.isascii() and raw.isdigit()):
        return None
    if raw[3:5] == "59" and raw[5] in "789":
        return None
    return raw


def normalise(
    raw: str, international: bool = False, region: str = KOREA, domestic: bool = True
) -> str:
    """SENS form for a Korean mobile (`01012345678`), E.164 (`+14155550123`) for another
    country's mobile when `international`; raise PhoneError with the reason otherwise.

    `region` (ISO 3166, e.g. "JP") reads a number written without `+`; `domestic` False
    refuses Korean numbers (a provider that sends abroad only)."""
    fast = fast_kr_mobile(raw) if region == KOREA else None
    if fast is not None and domestic:
        return fast
    return by_phonenumbers(raw, international, region, domestic)


def by_phonenumbers(
    raw: str, international: bool = False, region: str = KOREA, domestic: bool = True
) -> str:
    """`normalise` without the fast path: every number through phonenumbers."""
    number, text = _parse(raw, region)
    if number.country_code != KOREA_CODE and not international:
        raise PhoneError(
            f"{text} is not a Korean number (+{number.country_code}); "
            f"this campaign sends to Korean numbers (+{KOREA_CODE}) only"
        )
    if number.country_code == KOREA_CODE and not domestic:
        raise PhoneError(f"{text} is a Korean number; this campaign sends abroad only")
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(f"{text} is not a valid {_place(number)} number")
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise PhoneError(f"{text} is not a mobile number")
    if number.country_code == KOREA_CODE:
        return "0" + str(number.national_number)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def split(phone: str) -> tuple[str, str]:
    """(country code, number without it) of a stored number: ("82", "01012345678") for a
    Korean one, ("81", "9012345678") for E.164 `+819012345678`; how providers that take a
    separate countryCode (NHN, SENS) want it."""
    if not phone.startswith("+"):
        return str(KOREA_CODE), phone
    number = phonenumbers.parse(phone)
    return str(number.country_code), phonenumbers.national_significant_number(number)


def region_of(value: str) -> str:
    """An ISO 3166 region ("JP") from a country cell: a region code, or a calling code
    ("81", "+81"); PhoneError when it is neither."""
    text = value.strip().upper().lstrip("+")
    if text.isdigit():
        region = phonenumbers.region_code_for_country_code(int(text))
    else:
        region = text if text in phonenumbers.SUPPORTED_REGIONS else "ZZ"
    if region == "ZZ":
        raise PhoneError(
            f"country {value.strip()!r} is neither a region code (JP) nor a calling code (81)"
        )
    return region


def _parse(raw: str, region: str = KOREA) -> tuple[phonenumbers.PhoneNumber, str]:
    """The parsed number and its masked text for messages."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise PhoneError("empty phone number")
    if not ALLOWED.match(text):
        raise PhoneError(
            f"{mask(text)} is not a phone number: only digits, spaces and + - ( ) . may appear"
        )
    try:
        return phonenumbers.parse(text, region), mask(text)
    except NumberParseException as exc:
        raise PhoneError(f"{mask(text)} is not a phone number ({exc})") from None


def _place(number: phonenumbers.PhoneNumber) -> str:
    return "Korean" if number.country_code == KOREA_CODE else f"+{number.country_code}"


def mask(number: str) -> str:
    """Hide the middle of a number for logs: `010****5678`."""
    digits = number.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) < 10:
        return "*" * (len(digits) - 2) + digits[-2:]
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]  # ten or more: 3 or more stay hidden
