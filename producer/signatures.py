"""What a file that is not text is, told by its first bytes (an Excel workbook, an image…)."""

# An Excel workbook is the usual one: a spreadsheet saved as .xlsx and renamed .csv.
SAVE_AS_CSV = "save the sheet as 'CSV UTF-8' and import that"
SIGNATURES = (
    (b"PK\x03\x04", f"an Excel workbook (.xlsx) or another ZIP archive: {SAVE_AS_CSV}"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", f"an Excel 97-2003 workbook (.xls): {SAVE_AS_CSV}"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\x7fELF", "a program"),
)


def binary_kind(head: bytes) -> str | None:
    """What the bytes a file starts with say it is (`a PNG image`), or None."""
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    return None
