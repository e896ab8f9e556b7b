"""Inbox and suppression-list queries: the events and numbers they name, exactly."""

import pytest
from sqlalchemy import delete, text

from tests.db.conftest import MIN, T0, Rows, without_plan_order
from worker.db import inbox, suppressions
from worker.db.engine import get_engine
from worker.db.models import InboxEvent


def test_hold_leaves_the_named_new_events_new_until_their_time(conn, rows, watch):
    held = rows.add("inbox_event")
    rows.add("inbox_event")  # not named
    applied = rows.add("inbox_event", state="applied")
    with watch() as seen:
        inbox.hold(conn, [held, applied], T0 + MIN, "n" * 600)
        inbox.hold(conn, [], T0, "nothing")
    assert seen.diff == {("inbox_event", held): {"due_at": T0 + MIN, "note": "n" * 500}}


def test_an_empty_note_is_stored_as_none(conn, rows, watch):
    event = rows.add("inbox_event", note="earlier")
    with watch() as seen:
        inbox.hold(conn, [event], T0, "")
    assert seen.diff == {("inbox_event", event): {"due_at": T0, "note": None}}


def test_mark_settles_the_named_new_events_alone(conn, rows, watch):
    event = rows.add("inbox_event")
    rows.add("inbox_event")
    invalid = rows.add("inbox_event", state="invalid")
    with watch() as seen:
        inbox.mark(conn, [event, invalid], "unmatched", T0, "m" * 600)
    change = {"state": "unmatched", "applied_at": T0, "note": "m" * 500}
    assert seen.diff == {("inbox_event", event): change}


def test_mark_without_a_note_clears_the_one_a_hold_left(conn, rows, watch):
    event = rows.add("inbox_event", due_at=T0, note="batch 7 not accepted yet")
    with watch() as seen:
        inbox.mark(conn, [event], "applied", T0 + MIN)
    assert seen.diff == {("inbox_event", event): {"state": "applied", "applied_at": T0 + MIN,
                                                  "note": None}}  # fmt: skip


def test_take_new_reads_the_providers_due_new_events_oldest_first(conn, rows):
    first = rows.add("inbox_event")
    due = rows.add("inbox_event", due_at=T0)
    rows.add("inbox_event", due_at=T0 + MIN)
    rows.add("inbox_event", state="applied")
    rows.add("inbox_event", provider="apiplex")
    inbox.hold(conn, [first], T0, "waited")  # its row written again: now stored after `due`
    without_plan_order(conn)
    assert [row.id for row in inbox.take_new(conn, "nhn", 10, T0)] == [first, due]
    assert [row.id for row in inbox.take_new(conn, "nhn", 1, T0)] == [first]


@pytest.fixture()
def listed(any_db):
    """Three numbers listed a minute apart, the last one newest, on either database."""
    for minute, phone in enumerate(["01011112222", "01033334444", "01055556666"]):
        Rows(any_db).add("suppression", phone=phone, created_at=T0 + minute * MIN)
    return any_db


def test_newest_lists_the_latest_first_up_to_the_limit(listed):
    assert [row.phone for row in suppressions.newest(listed, 2)] == ["01055556666", "01033334444"]


@pytest.mark.parametrize("containing", ["%", "_", "\\"])
def test_a_like_wildcard_in_the_search_matches_itself_only(listed, containing):
    literal = Rows(listed).add("suppression", phone=f"+8210{containing}12", created_at=T0)
    assert [row.phone for row in suppressions.newest(listed, 10, containing)] == [literal]


def test_the_search_finds_numbers_holding_the_digits(listed):
    assert [row.phone for row in suppressions.newest(listed, 10, "3333")] == ["01033334444"]


def test_add_new_counts_the_numbers_not_listed_before(listed):
    conn = listed
    rows = [{"phone": p, "reason": "r", "source": "s", "created_at": T0}
            for p in ("01011112222", "01077778888", "01077778888")]  # fmt: skip
    assert suppressions.add_new(conn, rows) == 1
    assert suppressions.add_new(conn, []) == 0
    assert suppressions.count(conn) == 4
    assert suppressions.remove(conn, ["01077778888", "01099990000"]) == {"01077778888"}
    assert suppressions.remove(conn, []) == set()


def test_two_appliers_take_different_events_and_neither_waits(db_url: str) -> None:
    engine = get_engine(db_url)
    with engine.begin() as conn:
        ids = inbox.add_many(conn, [("apiplex", "{}"), ("apiplex", "{}")])
    try:
        with engine.connect() as first, engine.connect() as second, first.begin():
            assert [row.id for row in inbox.take_new(first, "apiplex", 1, T0)] == ids[:1]
            with second.begin():  # would wait on the first's lock without SKIP LOCKED
                second.execute(text("SET LOCAL lock_timeout = '2s'"))
                assert [row.id for row in inbox.take_new(second, "apiplex", 5, T0)] == ids[1:]
    finally:
        with engine.begin() as conn:
            conn.execute(delete(InboxEvent).where(InboxEvent.id.in_(ids)))
