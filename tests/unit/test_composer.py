"""AUTO picks the cheapest type that carries each row's message; declared types are checked."""

import pytest

from producer.composer import Composer
from producer.spec import CampaignSpec
from worker.domain.messages import MessageError


def _kind(text: str, **spec: str) -> str:
    full = CampaignSpec(name="t", sender="0212345678", template="{x}", **spec)
    return Composer(full, {"x": 0}).kind([text])


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("a", "SMS"),
        ("a" * 90, "SMS"),
        ("가" * 45, "SMS"),
        ("a" * 91, "LMS"),
        ("가" * 46, "LMS"),
        ("a" * 2000, "LMS"),
    ],
)
def test_auto_fits_90_bytes_as_sms_and_more_as_lms(text: str, kind: str) -> None:
    assert _kind(text) == kind


def test_a_subject_makes_auto_an_lms() -> None:
    assert _kind("short", subject="제목") == "LMS"


def test_too_long_and_unencodable_messages_are_refused() -> None:
    with pytest.raises(MessageError, match="2001 bytes in EUC-KR; LMS allows 2000"):
        _kind("a" * 2001)
    with pytest.raises(MessageError, match="91 bytes in EUC-KR; SMS allows 90"):
        _kind("a" * 91, message_type="SMS")
    with pytest.raises(MessageError, match="'✅'"):
        _kind("이모지✅")
    with pytest.raises(MessageError, match="'똠'"):
        _kind("똠")
