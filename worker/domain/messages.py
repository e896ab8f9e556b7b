"""Message types and their EUC-KR byte limits, as SENS counts them."""

from enum import StrEnum

from worker.domain.segments import segments


class MessageType(StrEnum):
    """SENS `type`: SMS (short), LMS (long), MMS (long with an image)."""

    SMS = "SMS"
    LMS = "LMS"
    MMS = "MMS"
    # An SMS to another country's number: sized in GSM-7 / UCS-2 parts, not EUC-KR bytes
    # (worker/domain/segments.py), and kept in batches of its own.
    INTL = "INTL"


class ContentType(StrEnum):
    """SENS `contentType`: regular or advertising."""

    COMM = "COMM"
    AD = "AD"


# Seed 003, "Send message": SMS content ≤ 90 bytes, LMS/MMS ≤ 2000, subject ≤ 40,
# all counted in EUC-KR.
CONTENT_LIMITS: dict[MessageType, int] = {
    MessageType.SMS: 90,
    MessageType.LMS: 2000,
    MessageType.MMS: 2000,
}
SUBJECT_LIMIT = 40
ENCODING = "euc_kr"


class MessageError(ValueError):
    """A message that the provider would refuse or truncate."""


def euc_kr_length(text: str) -> int:
    """Bytes `text` takes in EUC-KR; raises MessageError naming a character it cannot encode."""
    if text.isascii():
        return len(text)  # one byte a character, and the import's common case
    try:
        encoded = text.encode(ENCODING)
    except UnicodeEncodeError as exc:
        raise _not_encodable(text, exc.start) from None
    if _FILLER in encoded:
        _check_each(text)
    return len(encoded)


# Python's euc_kr codec spells Hangul syllables outside KS X 1001 (such as '똠', which only
# CP949 has) as an 8-byte filler sequence; SENS counts EUC-KR proper, so refuse them.
_FILLER = b"\xa4\xd4"


def _check_each(text: str) -> None:
    for position, char in enumerate(text):
        if len(char.encode(ENCODING)) > 2:
            raise _not_encodable(text, position)


def _not_encodable(text: str, position: int) -> MessageError:
    return MessageError(
        f"character {text[position]!r} at position {position} cannot be encoded in EUC-KR"
    )


def check_content(text: str, message_type: MessageType) -> None:
    """Raise MessageError when `text` does not fit `message_type` (SENS would cut it)."""
    if message_type is MessageType.INTL:
        check_parts(text)
        return
    size = euc_kr_length(text)
    limit = CONTENT_LIMITS[message_type]
    if size > limit:
        raise MessageError(f"content is {size} bytes in EUC-KR; {message_type} allows {limit}")


def check_subject(subject: str) -> None:
    """Raise MessageError when a subject is longer than SENS allows."""
    size = euc_kr_length(subject)
    if size > SUBJECT_LIMIT:
        raise MessageError(f"subject is {size} bytes in EUC-KR; at most {SUBJECT_LIMIT} allowed")


# Not in the documents: no provider states a most-parts limit for international SMS. Ten parts
# (1,530 GSM-7 characters, 670 UCS-2) keeps a mistaken template from billing dozens of parts
# for every recipient.
MAX_PARTS = 10


def check_parts(text: str) -> None:
    """Raise MessageError when an international SMS of `text` takes more than MAX_PARTS."""
    found = segments(text)
    if found.parts > MAX_PARTS:
        raise MessageError(
            f"content takes {found.parts} {found.encoding} parts ({found.units} characters); "
            f"an international SMS allows at most {MAX_PARTS}"
        )
