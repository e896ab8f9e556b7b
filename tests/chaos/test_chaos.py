"""The chaos run at 2,000 recipients through real processes, and the arithmetic it reports."""

import io

import pytest

from bench import chaos

# First sends over 15 s and faults over 30 s: about 45 s to completion when nothing is lost.
PLAN = chaos.Plan(recipients=2_000, provider="sens", seed=1, time_limit=75, spread=15)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> tuple[chaos.Figures, str]:
    """One run (its logs stay in pytest's temporary directory), and the table it printed."""
    figures = chaos.run(PLAN, tmp_path_factory.mktemp("chaos"), say=lambda line: None)
    table = io.StringIO()
    chaos.print_table(chaos.rows(figures), table)
    print(table.getvalue())  # shown with -s, and in the report of a failing test
    return figures, table.getvalue()


@pytest.mark.integration
def test_every_fault_was_injected_and_the_table_printed(outcome) -> None:
    figures, table = outcome
    injected = figures.injected
    assert injected.get("pool child kills", 0) >= 3
    assert injected.get("worker group kills") == injected.get("worker restarts") == 1
    assert injected.get("broker restarts") == 1
    assert injected.get("429 bursts", 0) >= 3
    provider = figures.provider
    answered = ("provider 5xx answers", "provider lost answers", "provider 429 answers")
    assert sum(provider[name] for name in answered) > 0, provider
    assert figures.recipients == PLAN.recipients
    for figure in ("recipients lost (not final)", "duplicate sends", "unknown", "time to complete"):
        assert figure in table


@pytest.mark.integration
def test_no_recipient_lost_and_none_sent_twice(outcome) -> None:
    figures, table = outcome
    assert figures.lost == 0, table
    assert figures.duplicates == 0, table
    assert figures.campaign_status == "completed", table


def test_duplicates_are_counted_per_number_never_netted_across_numbers() -> None:
    intended = {"01090000001": 1, "01090000002": 2}
    # The first number got an extra send; the second's re-send never went out.
    sent_to = {"01090000001": 2, "01090000002": 1}
    assert chaos.duplicate_sends(intended, sent_to) == 1
    # The simulator's one sum nets the two against each other.
    assert chaos.simulator_duplicates(intended, {"duplicate_messages": 1}) == 0


def test_a_send_to_a_number_outside_the_campaign_is_a_duplicate() -> None:
    assert chaos.duplicate_sends({"01090000001": 1}, {"01090000001": 1, "01011112222": 1}) == 1


def test_a_first_send_member_not_yet_written_back_intends_one_send() -> None:
    rows = [("01090000001", "pending", 0), ("01090000002", "delivered", 2)]
    assert chaos.intended_sends(rows) == {"01090000001": 1, "01090000002": 2}


def test_unknown_counts_as_final() -> None:
    assert {"unknown", "delivered", "failed"} <= chaos.final_statuses()
    assert "pending" not in chaos.final_statuses()


def test_the_timeline_holds_every_fault_inside_the_storm() -> None:
    events = chaos.timeline(PLAN)
    actions = [e.action for e in events]
    assert actions.count("kill_worker") == actions.count("start_worker") == PLAN.group_kills
    assert actions.count("kill_broker") == actions.count("start_broker") == 1
    assert actions.count("burst_429") == actions.count("end_429") >= 3
    assert actions.count("kill_child") >= 10
    assert max(e.at for e in events) == PLAN.storm_seconds
    assert events == sorted(events)


def test_faults_can_be_chosen_one_by_one() -> None:
    plan = chaos.Plan(recipients=2_000, faults=chaos.parse_faults("broker,429"))
    assert {chaos.KIND.get(e.action, "") for e in chaos.timeline(plan)} == {"", "broker", "429"}
    assert chaos.parse_faults("none") == frozenset()
    assert chaos.parse_faults("all") == chaos.FAULTS
