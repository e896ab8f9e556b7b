"""Phone-number masking for logs: 01012345678 becomes 010****5678."""

import re

_PHONE = re.compile(r"(?<!\d)(\d{3})\d{3,4}(\d{4})(?!\d)")


def mask_numbers(text: str) -> str:
    """`text` with every 10- or 11-digit number masked, keeping the first 3 and last 4 digits."""
    return _PHONE.sub(r"\1****\2", text)
