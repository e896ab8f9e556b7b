"""`make bench`: every benchmark against the real stack, then one summary table.

.venv/bin/python -m bench            # dispatch 10k/100k/1M, results, baseline, import, limiter,
                                     # polling (about 8 minutes on 2 cores)
.venv/bin/python -m bench --quick    # 10k/100k only, for development
"""

import argparse
import time
from collections.abc import Callable
from typing import Any

from bench import (
    baseline_bench,
    dispatch_bench,
    import_bench,
    limiter_bench,
    polling_bench,
    webhook_bench,
)

TARGET_1M_SECONDS = 60
TARGET_RATIO = 20
TARGET_RSS_MB = 200
TARGET_RESULTS_PER_S = 20_000
RESULTS_TARGET_SIZE = 100_000
# Results are polled to the end for these sizes; at 1M it would add minutes to every run.
RESULT_SIZES = (10_000, 100_000)

Row = tuple[str, str, str, str]  # figure, value, target, holds


def _step(name: str, work: Callable[[], Any]) -> Any:
    began = time.monotonic()
    print(f"… {name}", flush=True)
    done = work()
    print(f"  done in {time.monotonic() - began:.0f} s", flush=True)
    return done


def _holds(ok: bool) -> str:
    return "yes" if ok else "NO"


def dispatch_rows(runs: dict[int, dict]) -> list[Row]:
    """Per size: recipients/s, time to first send and to all accepted, results/s."""
    rows: list[Row] = []
    for size, r in runs.items():
        label = f"{size:,}"
        rows.append((f"dispatch {label}: all accepted", f"{r['all_accepted_s']:.1f} s", "", ""))
        rows.append((f"dispatch {label}: accepted/s", f"{r['accepted_per_s']:,.0f}", "", ""))
        rows.append((f"dispatch {label}: first send", f"{r['first_send_s']:.2f} s", "", ""))
        if r["results_per_s"]:
            rows.append(_results_row(size, r["results_per_s"]))
    big = max(runs)
    if big >= 1_000_000:
        seconds = runs[big]["all_accepted_s"]
        rows.append(
            ("1M from CSV to all accepted", f"{seconds:.1f} s", f"≤ {TARGET_1M_SECONDS} s",
             _holds(seconds <= TARGET_1M_SECONDS))
        )  # fmt: skip
    return rows


def _results_row(size: int, per_s: float) -> Row:
    figure, value = f"results {size:,}: applied/s", f"{per_s:,.0f}"
    if size != RESULTS_TARGET_SIZE:
        return (figure, value, "", "")
    return (figure, value, f"≥ {TARGET_RESULTS_PER_S:,}/s", _holds(per_s >= TARGET_RESULTS_PER_S))


def rss_rows(runs: dict[int, dict]) -> list[Row]:
    """Peak RSS of each process at the largest size, and its change from 100k."""
    big = runs[max(runs)]["peak_rss_mb"]
    mid = runs.get(100_000, {}).get("peak_rss_mb", {})
    rows: list[Row] = []
    for name in sorted(big):
        peak = big[name]
        change = f", {peak / mid[name] - 1:+.0%} vs 100k" if mid.get(name) else ""
        flat = not mid.get(name) or abs(peak / mid[name] - 1) <= 0.2
        ok = peak <= TARGET_RSS_MB and flat
        rows.append((f"peak RSS {name}", f"{peak:.0f} MB{change}", "≤ 200 MB, ±20%", _holds(ok)))
    return rows


def cpu_rows(r: dict) -> list[Row]:
    """Where the CPU went during the largest dispatch (2 cores: 2 CPU-s per second)."""
    total = sum(r["cpu_s"].values())
    wall = r["all_accepted_s"]
    shares = ", ".join(f"{k} {v:.0f}" for k, v in sorted(r["cpu_s"].items(), key=lambda i: -i[1]))
    return [(f"CPU-s over {wall:.0f} s (cores {total / wall:.2f})", shares, "", "")]


def baseline_rows(naive: dict, runs: dict[int, dict]) -> list[Row]:
    """The per-recipient-task design at 10k and our ratio to it."""
    ours_10k = runs[min(runs)]["accepted_per_s"]
    ours_best = max(r["accepted_per_s"] for r in runs.values())
    ratio = ours_10k / naive["per_s"]
    return [
        ("baseline 10k, task per recipient", f"{naive['per_s']:,.0f}/s", "", ""),
        ("ratio ours 10k / baseline", f"{ratio:.1f}×", f"≥ {TARGET_RATIO}×",
         _holds(ratio >= TARGET_RATIO)),
        ("ratio ours best / baseline", f"{ours_best / naive['per_s']:.1f}×", "", ""),
    ]  # fmt: skip


def import_rows(results: list[dict]) -> list[Row]:
    """CSV import rows/s and peak RSS (docs/importing.md targets)."""
    return [
        (f"import {r['rows']:,.0f} rows", f"{r['rate']:,.0f} rows/s, {r['peak_rss_mb']:.0f} MB",
         f"≥ {import_bench.TARGET_RATE:,}/s", _holds(r["rate"] >= import_bench.TARGET_RATE))
        for r in results
    ]  # fmt: skip


def limiter_rows(figures: dict) -> list[Row]:
    """Shared limiter: achieved vs target rate (docs/rate-limiting.md)."""
    off = figures["achieved"] / figures["target"] - 1
    return [
        ("limiter 4 procs @200/s", f"{figures['achieved']:.1f}/s ({off:+.1%})", "±5%",
         _holds(abs(off) <= 0.05)),
        ("limiter commands/acquisition", f"{figures['commands_per_acquisition']:.2f}", "", ""),
    ]  # fmt: skip


def polling_rows(calls: dict[str, dict]) -> list[Row]:
    """List calls to learn the results of the polling bench's recipients, per mode."""
    text = ", ".join(f"{mode} {r['calls']}" for mode, r in calls.items())
    return [("polling 5k: list calls by mode", text, "", "")]


def webhook_rows(r: dict) -> list[Row]:
    """Webhook intake: results/s accepted by `bulksms serve`, applied, and none lost."""
    target = webhook_bench.TARGET_ACCEPTED
    ok = r["accepted_per_s"] >= target and r["lost"] == 0 and r["stored"] == r["calls"]
    each = r["results"] // r["calls"]
    name = f"webhooks {r['provider']} {r['results']:,} ({each}/call, {r['workers']} procs)"
    return [
        (f"{name}: accepted/s", f"{r['accepted_per_s']:,.0f}, lost {r['lost']}",
         f"≥ {target:,}/s, 0 lost", _holds(ok)),
        (f"{name}: applied/s", f"{r['applied_per_s']:,.0f}", "", ""),
    ]  # fmt: skip


def print_table(rows: list[Row]) -> None:
    """One plain-text table."""
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    head: Row = ("figure", "value", "target", "holds")
    widths = [max(w, len(h)) for w, h in zip(widths, head, strict=True)]
    for row in [head, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def main() -> None:
    """Run everything, then print the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k only")
    parser.add_argument("--concurrency", type=int, default=dispatch_bench.CONCURRENCY)
    args = parser.parse_args()
    sizes = (10_000, 100_000) if args.quick else (10_000, 100_000, 1_000_000)
    runs = {}
    for size in sizes:
        run = _step(f"dispatch {size:,}", lambda s=size: dispatch_bench.run_in_subprocess(
            s, args.concurrency, results=s in RESULT_SIZES))  # fmt: skip
        print("  " + dispatch_bench.describe(run), flush=True)
        runs[size] = run
    naive = _step("baseline 10k", lambda: baseline_bench.run(10_000, args.concurrency))
    imports = _step("import", lambda: [import_bench.run_in_subprocess(n) for n in sizes[1:]])
    limiter = _step(
        "limiter", lambda: limiter_bench.summary(limiter_bench.measure(4, 200.0, 10, 5.0)[0], 200.0)
    )
    polling = _step(
        "polling", lambda: {m: polling_bench.run(m, 5000, 10.0) for m in polling_bench.MODES}
    )
    hooks = _step("webhooks", lambda: [webhook_bench.run(20_000, 16, name)
                                       for name in ("nhn", "apiplex")])  # fmt: skip
    rows = dispatch_rows(runs) + rss_rows(runs) + cpu_rows(runs[max(runs)])
    rows += baseline_rows(naive, runs) + import_rows(imports) + limiter_rows(limiter)
    print()
    hook_rows = [row for run in hooks for row in webhook_rows(run)]
    print_table(rows + polling_rows(polling) + hook_rows)


if __name__ == "__main__":
    main()
