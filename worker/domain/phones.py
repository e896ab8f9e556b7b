"""Phone number normalisation (phonenumbers) and masking for logs."""

import re
import unicodedata

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

KOREA = "KR"
# What people write around digits; NFKC has already turned full-width digits into ASCII.
ALLOWED = re.compile(r"^[0-9+\-(). ]+$")
_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


class PhoneError(ValueError):
    """A number that cannot receive an SMS."""


def normalise_kr_mobile(raw: str) -> str:
    """A Korean mobile number in SENS form (`01012345678`); raise PhoneError otherwise."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise PhoneError("empty phone number")
    if not ALLOWED.match(text):
        raise PhoneError(
            f"{mask(text)} is not a phone number: only digits, spaces and + - ( ) . may appear"
        )
    try:
        number = phonenumbers.parse(text, KOREA)
    except NumberParseException as exc:
        raise PhoneError(f"{mask(text)} is not a phone number ({exc})") from None
    if number.country_code != 82:
        raise PhoneError(f"{mask(text)} is not a Korean number (+{number.country_code})")
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(f"{mask(text)} is not a valid Korean number")
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise PhoneError(f"{mask(text)} is not a mobile number")
    return "0" + str(number.national_number)


def mask(number: str) -> str:
    """Hide the middle of a number for logs: `010****5678`."""
    digits = number.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) < 10:
        return "*" * (len(digits) - 2) + digits[-2:]
    keep_head = min(3, len(digits) - 4)
    return digits[:keep_head] + "*" * (len(digits) - keep_head - 4) + digits[-4:]
