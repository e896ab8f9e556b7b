"""One recipientList entry: its number, country, grouping key and the texts rendered for it."""

import json
import re
from dataclasses import dataclass
from typing import Any

import phonenumbers

from simulator.nhn.results import PARAMETER, NhnError
from simulator.nhn.templates import parameters, render

KOREA = "82"
# Korean mobile numbers (010, and the older 011/016/017/018/019), 10 or 11 digits.
_KR_MOBILE = re.compile(r"01[016789]\d{7,8}")
_ELSEWHERE = re.compile(r"\d{4,15}")  # E.164 allows at most 15 digits with the country code
INVALID_NUMBER = -2019  # seed 002: RecipientNo is invalid.


@dataclass(frozen=True, slots=True)
class Recipient:
    """A parsed recipient; `refusal` is its own resultCode when NHN would refuse it."""

    number: str
    country: str
    grouping_key: str | None
    body: str
    title: str | None
    parameters: str | None  # templateParameter as JSON text (reservation answers show it)
    refusal: int | None = None


def _text(entry: dict[str, Any], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise NhnError(PARAMETER, f"{where}{key} must be a string")


def _international(raw: str) -> tuple[str, str] | None:
    """(countryCode, recipientNo) of an internationalRecipientNo such as 821012345678."""
    try:
        parsed = phonenumbers.parse("+" + raw)
    except phonenumbers.NumberParseException:
        return None
    national = str(parsed.national_number)
    country = str(parsed.country_code)
    return country, ("0" + national if country == KOREA else national)


def _address(entry: dict[str, Any], where: str) -> tuple[str, str, bool]:
    """(recipientNo, countryCode, understood) from recipientNo/countryCode or the international."""
    number = _text(entry, "recipientNo", where)
    if number:
        country = _text(entry, "countryCode", where) or KOREA
        return number, country, country.isascii() and country.isdigit() and len(country) <= 4
    international = _text(entry, "internationalRecipientNo", where)
    if not international:
        raise NhnError(-2018, f"{where}recipientNo is missing")
    split = _international(international) if international.isdigit() else None
    return (split[1], split[0], True) if split else (international, "", False)


def valid_number(number: str, country: str) -> bool:
    """Whether NHN would take `number`: for 82 a plausible 01X mobile of 10-11 digits."""
    if not number.isascii():
        return False
    if country == KOREA:
        return bool(_KR_MOBILE.fullmatch(number))
    return bool(_ELSEWHERE.fullmatch(number))


def parse_recipient(entry: Any, index: int, body: str, title: str | None) -> Recipient:
    """recipientList[index] with its rendered body/title; NhnError for a broken entry."""
    where = f"recipientList[{index}]."
    if not isinstance(entry, dict):
        raise NhnError(PARAMETER, f"recipientList[{index}] must be an object")
    number, country, understood = _address(entry, where)
    values = parameters(entry, where)
    refusal = None if understood and valid_number(number, country) else INVALID_NUMBER
    return Recipient(
        number=number,
        country=country,
        grouping_key=_text(entry, "recipientGroupingKey", where),
        body=render(body, values),
        title=None if title is None else render(title, values),
        parameters=json.dumps(values, ensure_ascii=False) if values else None,
        refusal=refusal,
    )
