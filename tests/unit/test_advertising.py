"""The advertising rules (Network Act Art. 50, PROVIDERS.md): (광고), the sender's name and a
free opt-out line, added from settings where known, refused by name where not; quiet hours."""

from datetime import UTC, datetime, time

import pytest

from worker.domain.advertising import AdError, AdParts, complete, problems
from worker.domain.quiet_hours import in_quiet_hours, quiet_until
from worker.domain.seoul import SEOUL

SETTINGS = AdParts("바른상점", "080-123-4567")


def test_what_settings_know_is_added_and_counted_in_the_text() -> None:
    assert complete("봄 세일 {name}님", SETTINGS) == (
        "(광고)바른상점 봄 세일 {name}님\n무료수신거부 080-123-4567"
    )
    assert (
        complete("(광고) 봄 세일", SETTINGS) == "(광고)바른상점 봄 세일\n무료수신거부 080-123-4567"
    )


@pytest.mark.parametrize(
    "text",
    [
        "(광고)바른상점 봄 세일\n무료수신거부 080-123-4567",
        "(광고)바른상점 세일 무료거부 0801234567",
    ],
)
def test_a_complete_advertisement_is_left_as_it_is(text: str) -> None:
    assert complete(text, SETTINGS) == text
    assert complete(text, AdParts()) == text
    assert problems(text, AdParts()) == []


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("봄 세일", ["to start with (광고)", "a free opt-out line"]),
        ("(광고)\n봄 세일 무료거부 0801234567", ["the sender's name right after (광고)"]),
        ("(광고)바른상점 봄 세일", ["a free opt-out line, 무료수신거부 080…"]),
        ("(광고)바른상점 세일 수신거부 0212345678", ["a free opt-out line"]),  # not 080, not free
    ],
)
def test_without_settings_what_is_missing_is_named(text: str, missing: list[str]) -> None:
    with pytest.raises(AdError) as info:
        complete(text, AdParts())
    for words in missing:
        assert words in str(info.value)


def test_a_set_sender_name_must_be_the_one_shown() -> None:
    assert complete("(광고)다른상점 세일", SETTINGS).startswith("(광고)바른상점 ")
    with pytest.raises(AdError, match="not an 080 number"):
        complete("(광고)바른상점 세일", AdParts("바른상점", "02-123-4567"))


def test_an_operator_reads_everything_missing_in_one_message() -> None:
    with pytest.raises(AdError) as info:
        complete("봄 세일", AdParts())
    assert str(info.value) == (
        "an advertisement needs to start with (광고) (set BULKSMS_AD__SENDER_NAME to have it "
        "added); a free opt-out line, 무료수신거부 080… (or BULKSMS_AD__OPT_OUT_NUMBER)"
    )


NAME_MISSING = "the sender's name right after (광고) (or BULKSMS_AD__SENDER_NAME)"


def test_another_name_than_the_set_sender_name_is_a_problem() -> None:
    text = "(광고)다른상점 세일 무료거부 0801234567"
    assert problems(text, AdParts("바른상점")) == [NAME_MISSING]
    assert problems(text, AdParts()) == []


def test_the_name_must_be_on_the_first_line_after_the_prefix() -> None:
    assert problems("(광고)\n봄 세일\n무료거부 0801234567", AdParts()) == [NAME_MISSING]


def kst(hour: int, minute: int = 0, day: int = 1, second: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, second, tzinfo=SEOUL).astimezone(UTC)


NIGHT = (time(21, 0), time(8, 0))


def test_the_quiet_hours_hold_until_eight_in_the_morning_korea_time() -> None:
    assert quiet_until(kst(20, 59, day=2), *NIGHT) is None
    morning = datetime(2026, 12, 2, 23, 0, tzinfo=UTC)  # 08:00 KST on the 3rd
    assert quiet_until(kst(21, 0, day=2), *NIGHT) == morning
    assert quiet_until(kst(23, 30, day=2), *NIGHT) == morning
    assert quiet_until(datetime(2026, 12, 2, 16, 0, tzinfo=UTC), *NIGHT) == morning  # 01:00
    assert quiet_until(datetime(2026, 12, 2, 22, 59, tzinfo=UTC), *NIGHT) == morning  # 07:59
    assert quiet_until(datetime(2026, 12, 2, 23, 0, tzinfo=UTC), *NIGHT) is None  # 08:00


def test_a_window_within_one_day_works_too() -> None:
    start, end = time(12, 0, 10), time(12, 0, 30)
    noon = datetime(2026, 12, 2, 3, 0, 15, tzinfo=UTC)  # 12:00:15 KST
    assert quiet_until(noon, start, end) == datetime(2026, 12, 2, 3, 0, 30, tzinfo=UTC)
    assert quiet_until(noon.replace(second=31), start, end) is None


# PROVIDERS.md, "Korean advertising rules": no ad from 21:00 to 08:00 Korea time.
def test_an_ad_at_exactly_21_00_kst_is_in_the_quiet_hours_until_08_00() -> None:
    assert not in_quiet_hours(kst(20, 59, second=59), *NIGHT)
    assert in_quiet_hours(kst(21, 0), *NIGHT)
    assert in_quiet_hours(kst(7, 59, second=59), *NIGHT)
    assert not in_quiet_hours(kst(8, 0), *NIGHT)


def test_a_window_within_one_day_holds_its_start_and_not_its_end() -> None:
    start, end = time(12, 0, 10), time(12, 0, 30)
    assert quiet_until(kst(12, 0, second=10), start, end) == kst(12, 0, second=30)
    assert quiet_until(kst(12, 0, second=30), start, end) is None
    assert not in_quiet_hours(kst(12, 0, second=9), start, end)


def test_equal_start_and_end_hold_no_quiet_hours() -> None:
    assert not in_quiet_hours(kst(21, 0), time(21, 0), time(21, 0))
    assert not in_quiet_hours(kst(3, 0), time(21, 0), time(21, 0))
