"""How a campaign preview looks on a terminal: a summary line, then rich tables."""

from rich.console import Console
from rich.table import Table

from producer.preview import Preview
from producer.pricing import won
from producer.views import parts_line


def summary_line(preview: Preview) -> str:
    """`10,502 rows: 10,500 to send (SMS 10,000, INTL 500), … ≈ ₩170,000, about 1 min`."""
    kinds = ", ".join(f"{line.kind} {line.recipients:,}" for line in preview.types)
    cost = won(preview.cost) + ("" if preview.priced else " (some types unpriced)")
    return (
        f"{preview.read:,} rows: {preview.sendable:,} to send ({kinds or 'none'}), "
        f"{preview.duplicates:,} duplicates, {preview.suppressed:,} suppressed, "
        f"{preview.rejected:,} rejected; estimated {cost}, "
        f"about {duration(preview.send_seconds)} to send"
    )


def duration(seconds: float) -> str:
    """`0.4 s`, `45 s`, `12 min 5 s`, `3 h 20 min`."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60} min"


def print_preview(console: Console, preview: Preview) -> None:
    """Everything the preview found: counts, types with cost, sizes, rejects, ads, time."""
    console.print(f"[bold]preview[/bold]: {summary_line(preview)}", soft_wrap=True)
    abroad, parts = preview.abroad
    if abroad:
        console.print(parts_line(abroad, parts))
    console.print(_types(preview))
    console.print(_histogram(preview))
    if preview.grown:
        console.print(_grown(preview))
    if preview.rejected:
        console.print(_rejects(preview))
    if preview.ads is not None:
        console.print(_ads(preview))
    console.print(_times(preview))
    console.print("nothing was stored or queued")


def _types(preview: Preview) -> Table:
    table = Table("type", "provider", "recipients", "SMS parts", "price", "cost", title="by type")
    for line in preview.types:
        parts = f"{line.parts:,}" if line.kind == "INTL" else ""
        price = "—" if line.price is None else f"₩{line.price:,g}"
        provider = line.provider or "none can send it"
        table.add_row(line.kind, provider, f"{line.recipients:,}", parts, price, won(line.cost))
    table.add_row("total", "", f"{preview.sendable:,}", "", "", won(preview.cost))
    return table


def _histogram(preview: Preview) -> Table:
    table = Table("EUC-KR bytes", "messages", title="message sizes (filled in)")
    for label, count in preview.histogram:
        table.add_row(label, f"{count:,}")
    return table


def _grown(preview: Preview) -> Table:
    title = f"{preview.grown:,} become LMS only once filled in (SMS up to 90 bytes)"
    table = Table("line", "number", "bytes", title=title)
    for row in preview.grown_examples:
        table.add_row(str(row.line), row.number, str(row.size))
    return table


def _rejects(preview: Preview) -> Table:
    table = Table("line", "reason", title=f"{preview.rejected:,} rejected rows")
    for error in preview.errors:
        table.add_row(str(error.line), error.reason)
    if preview.rejected > len(preview.errors):
        table.add_row("…", f"and {preview.rejected - len(preview.errors):,} more")
    return table


def _ads(preview: Preview) -> Table:
    assert preview.ads is not None  # shown for an AD campaign only
    table = Table("check", "holds", title="advertising")
    table.add_row("starts with (광고)", _yes(preview.ads.marked))
    table.add_row("free opt-out (무료수신거부 080 / 무료거부 080)", _yes(preview.ads.opt_out))
    return table


def _yes(value: bool) -> str:
    return "yes" if value else "[red]no[/red]"


def _times(preview: Preview) -> Table:
    title = f"time to send: about {duration(preview.send_seconds)} (the slowest provider)"
    table = Table("provider", "recipients", "batches", "requests/s", "time", title=title)
    for time in preview.times:
        row = (time.provider, f"{time.recipients:,}", f"{time.batches:,}")
        table.add_row(*row, f"{time.rate_per_second:g}", duration(time.seconds))
    return table
