"""Spreadsheet cells safe from formula injection (OWASP "CSV Injection")."""

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """`value`, with a leading `'` when it is text a spreadsheet would read as a formula.

    Numbers in E.164 form (`+821012345678`) are prefixed too: Excel reads `+8210…` as a
    formula, and the quote keeps the `+` and every digit visible.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
