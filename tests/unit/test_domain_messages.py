"""EUC-KR byte counting and the SENS content/subject limits (seed 003, "Send message")."""

import pytest

from worker.domain.messages import (
    CONTENT_LIMITS,
    MAX_PARTS,
    SUBJECT_LIMIT,
    MessageError,
    MessageType,
    check_content,
    check_parts,
    check_subject,
    euc_kr_length,
)


def test_limits_are_the_documented_ones() -> None:
    assert CONTENT_LIMITS[MessageType.SMS] == 90
    assert CONTENT_LIMITS[MessageType.LMS] == 2000
    assert CONTENT_LIMITS[MessageType.MMS] == 2000
    assert SUBJECT_LIMIT == 40


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("", 0),
        ("a", 1),
        ("hello 123!", 10),
        ("가", 2),
        ("안녕하세요", 10),
        ("안녕 hi", 7),
        ("(광고) 080-123-4567", 19),
        ("ㄱㅏ", 4),  # compatibility jamo are in KS X 1001
        ("漢字", 4),  # so are the common hanja
    ],
)
def test_euc_kr_length(text: str, size: int) -> None:
    assert euc_kr_length(text) == size


def test_sms_boundary_ascii() -> None:
    check_content("a" * 90, MessageType.SMS)
    with pytest.raises(MessageError, match=r"91 bytes.*SMS allows 90"):
        check_content("a" * 91, MessageType.SMS)


def test_sms_boundary_hangul() -> None:
    check_content("가" * 45, MessageType.SMS)  # 90 bytes
    with pytest.raises(MessageError, match="92 bytes"):
        check_content("가" * 46, MessageType.SMS)
    with pytest.raises(MessageError, match="91 bytes"):
        check_content("가" * 45 + "a", MessageType.SMS)


@pytest.mark.parametrize("message_type", [MessageType.LMS, MessageType.MMS])
def test_lms_and_mms_boundary(message_type: MessageType) -> None:
    check_content("가" * 1000, message_type)  # 2000 bytes
    check_content("a" * 2000, message_type)
    with pytest.raises(MessageError, match=rf"2001 bytes.*{message_type} allows 2000"):
        check_content("a" * 2001, message_type)
    with pytest.raises(MessageError, match="2002 bytes"):
        check_content("가" * 1001, message_type)


def test_subject_boundary() -> None:
    check_subject("a" * 40)
    check_subject("제" * 20)
    with pytest.raises(MessageError, match=r"subject is 41 bytes.*at most 40"):
        check_subject("a" * 41)
    with pytest.raises(MessageError, match="subject is 42 bytes"):
        check_subject("제" * 21)


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("hello 😀", "😀"),
        ("\U0001f600", "\U0001f600"),
        ("이모지✅", "✅"),
    ],
)
def test_emoji_is_refused_naming_the_character(text: str, bad: str) -> None:
    with pytest.raises(MessageError) as info:
        euc_kr_length(text)
    assert repr(bad) in str(info.value)
    with pytest.raises(MessageError):
        check_content(text, MessageType.LMS)


@pytest.mark.parametrize("syllable", ["똠", "뷁", "햏", "쓔"])
def test_cp949_only_syllable_is_refused_naming_the_character(syllable: str) -> None:
    # These modern syllables are not among the 2,350 of KS X 1001 (EUC-KR); only CP949 has
    # them. Python's euc_kr codec does not fail on them: it writes the 8-byte KS X 1001
    # "jamo make-up" sequence (A4 D4 + three jamo), which SENS neither counts nor sends as
    # one character. They must be refused like an emoji, not counted as 8 bytes.
    text = f"안녕 {syllable}"
    with pytest.raises(MessageError) as info:
        euc_kr_length(text)
    assert repr(syllable) in str(info.value)


def test_ks_x_1001_syllable_next_to_cp949_ones_is_two_bytes() -> None:
    assert euc_kr_length("똘") == 2


def test_error_names_the_position() -> None:
    with pytest.raises(MessageError, match="position 3"):
        euc_kr_length("abc😀def")


def test_message_error_is_a_value_error() -> None:
    assert issubclass(MessageError, ValueError)


def test_an_international_sms_may_take_exactly_ten_parts() -> None:
    assert MAX_PARTS == 10
    check_parts("a" * 1530)  # ten GSM-7 parts of 153 (PROVIDERS.md, "Segmenting")
    with pytest.raises(MessageError, match=r"^content takes 11 GSM-7 parts \(1531 characters\)"):
        check_parts("a" * 1531)
