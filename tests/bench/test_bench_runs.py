"""The benchmarks still run against the current data path, at a small size (no figures
are judged here: targets live in `make bench`)."""

from bench import dispatch_bench, polling_bench
from bench.__main__ import dispatch_rows, print_table, rss_rows


def test_dispatch_bench_runs_a_small_campaign_to_its_results(capsys) -> None:
    run = dispatch_bench.run_in_subprocess(2_000, 2, results=True)
    assert run["recipients"] > 1_900
    assert run["all_accepted_s"] > run["first_send_s"] > 0
    assert run["results_per_s"] > 0
    assert {"worker", "simulator", "producer"} <= set(run["peak_rss_mb"])
    print_table(dispatch_rows({2_000: run}) + rss_rows({2_000: run}))
    assert "dispatch 2,000: all accepted" in capsys.readouterr().out


def test_polling_bench_polls_every_batch_to_its_end() -> None:
    figures = polling_bench.run("auto", 300, 10.0)
    # The bench gives up after 120 s with batches still open; a finished run stops sooner.
    assert figures["calls"] > 0 and figures["seconds"] < 100


def test_the_webhook_bench_runs_and_loses_nothing() -> None:
    from bench import webhook_bench

    figures = webhook_bench.run(500, 4)
    assert (figures["calls"], figures["answered"], figures["stored"]) == (50, 50, 50)
    assert figures["lost"] == 0 and figures["accepted_per_s"] > 0
    single = webhook_bench.run(300, 4, "apiplex", workers=1)  # one record a call
    assert (single["calls"], single["answered"], single["stored"], single["lost"]) == (
        300, 300, 300, 0)  # fmt: skip
