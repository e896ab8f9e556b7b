"""Why a campaign cannot be created as asked; nothing of it is stored."""


class SpecError(ValueError):
    """The campaign cannot be created as specified (nothing was written)."""


def nothing_imported(source: str | None, read: int, rejected: int, first: str) -> str:
    """One line saying why no recipient was imported: `list.csv holds no rows after its
    header`, or `list.csv: no recipient could be imported (3 rows rejected: line 2: …)`.
    `source` names the file (None: numbers given directly); `first` is the first rejection,
    `line 2: reason`."""
    if not read:
        return f"{source} holds no rows after its header" if source else "no number was given"
    rows = ("row" if source else "number") + ("s" if rejected != 1 else "")
    where = f"{source}: " if source else ""
    return f"{where}no recipient could be imported ({rejected:,} {rows} rejected: {first})"
