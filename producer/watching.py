"""`campaign watch`: a progress bar and what the campaign waits for until all are final."""

import time
from collections.abc import Callable

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from producer import views
from producer.report import CampaignReport
from producer.waits import waiting_for
from worker.db.types import utcnow
from worker.domain.statuses import CampaignStatus

POLL_SECONDS = 0.5
DONE = (CampaignStatus.COMPLETED, CampaignStatus.CANCELLED)
# Exit codes: the watch stopped at its timeout, or at Ctrl-C (128 + SIGINT, as shells do).
TIMED_OUT, INTERRUPTED = 1, 130

Reader = Callable[[], CampaignReport]


def watch_campaign(console: Console, read: Reader, timeout: float | None) -> int:
    """Follow the campaign until it is done (0), `timeout` seconds pass or the user presses
    Ctrl-C; print the summary, and a last line when the watch stopped first (the campaign
    itself goes on)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        report = _follow(console, read, deadline)
        code, why = (0, "") if report.status in DONE else (TIMED_OUT, f"after {timeout:g} s")
    except KeyboardInterrupt:
        report, code, why = read(), INTERRUPTED, "when interrupted"
    views.print_report(console, report)
    if code:
        console.print(stopped_line(report, why), soft_wrap=True)
    return code


def stopped_line(report: CampaignReport, why: str) -> str:
    """What the campaign was doing when the watch stopped, and that it goes on."""
    waiting = "; ".join(waiting_for(report.waits, utcnow())) or "nothing it waits for yet"
    campaign = report.campaign_id
    return (
        f"stopped watching campaign {campaign} {why}: it is {report.phase}, "
        f"{report.final:,}/{report.total:,} final ({waiting}); it carries on without the "
        f"watch: `bulksms campaign watch {campaign}` follows it again"
    )


def _follow(console: Console, read: Reader, deadline: float | None) -> CampaignReport:
    report = read()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:.0f}/s"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[waiting]}"),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("", total=report.total, rate=0.0, waiting="")
        while True:
            progress.update(task, total=report.total, completed=report.final,
                            rate=report.throughput, description=_title(report),
                            waiting=_waiting(report))  # fmt: skip
            if report.status in DONE or (deadline is not None and time.monotonic() >= deadline):
                return report
            time.sleep(POLL_SECONDS)
            report = read()


def _title(report: CampaignReport) -> str:
    return f"campaign {report.campaign_id} {report.phase}"


def _waiting(report: CampaignReport) -> str:
    if report.status in DONE:
        return ""
    return "; ".join(waiting_for(report.waits, utcnow()))
