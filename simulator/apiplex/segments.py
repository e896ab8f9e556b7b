"""smsCount: how many parts a text is sent in (PROVIDERS.md, API PLEX segmenting)."""

# GSM 03.38: the basic set (one septet each) and the extension table (escape + one septet).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")
# PROVIDERS.md: GSM-7 1 part = 160 characters (multi-part 153 each); UCS-2 1 part = 70
# (multi-part 67 each).
GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


def gsm_length(text: str) -> int | None:
    """Septets `text` takes in GSM-7 (extension characters count 2); None if it needs UCS-2."""
    length = 0
    for char in text:
        if char in GSM_BASIC:
            length += 1
        elif char in GSM_EXTENSION:
            length += 2
        else:
            return None
    return length


def _parts(length: int, single: int, part: int) -> int:
    return 1 if length <= single else -(-length // part)


def sms_count(text: str) -> int:
    """The number of SMS parts `text` is sent in."""
    septets = gsm_length(text)
    if septets is not None:
        return _parts(septets, GSM_SINGLE, GSM_PART)
    units = len(text.encode("utf-16-le")) // 2  # UCS-2 code units (astral characters: 2)
    return _parts(units, UCS2_SINGLE, UCS2_PART)
