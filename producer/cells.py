"""Spreadsheet cells safe from formula injection, and phone numbers kept as text."""

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Verbatim(str):
    """Text a spreadsheet must keep exactly as written: a phone number whose leading 0 (or
    +) a spreadsheet would otherwise drop, reading the digits as a number."""

    __slots__ = ()


def safe_cell(value: object) -> object:
    """`value`, with a leading `'` when it is text a spreadsheet would read as a formula.

    Numbers in E.164 form (`+821012345678`) are prefixed too: Excel reads `+8210…` as a
    formula, and the quote keeps the `+` and every digit visible.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def excel_text(value: Verbatim) -> str:
    """A CSV cell Excel opens as the text `value`, leading 0 and + kept: `="01012345678"`
    (a formula whose result is that text; the digits alone would become 1012345678)."""
    return '="' + value.replace('"', '""') + '"'
