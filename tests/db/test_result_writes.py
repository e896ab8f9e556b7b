"""A page of results written on PostgreSQL (one UPDATE … FROM json) and SQLite (executemany):
the same rows change the same way, each only in its batch and old status, and only once."""

from collections import Counter
from datetime import date

import pytest

from tests.db.conftest import MIN, T0, Rows, Watch
from worker.db import results
from worker.db.members import BatchRef
from worker.domain.statuses import RecipientStatus as R


def _result(phone: str, status: str, code: str, batch: BatchRef, old: R | None = None) -> dict:
    row = {"b_phone": phone, "b_status": status, "b_code": code, "b_family": "sens",
           "b_outcome": status, "b_message_id": f"m-{phone[-2:]}", "b_telco": "SKT",
           "b_done": T0, "b_next": T0 + MIN if status == "retry_wait" else None}  # fmt: skip
    return {**row, **results.target(batch, old)}


def test_a_page_changes_each_recipient_in_its_batch_and_old_status_once(any_db):
    rows = Rows(any_db)
    campaign, other = rows.campaign(), rows.campaign()
    first = rows.recipient(campaign, "01000000001")
    second = rows.recipient(campaign, "01000000002")
    rows.recipient(campaign, "01000000003", message_type="LMS")
    resent = BatchRef(rows.batch(campaign, attempt=2), campaign, "SMS", 2)
    listed = rows.recipient(campaign, "01000000004", status="batched", attempts=1,
                            batch_id=resent.id)  # fmt: skip
    expired = rows.recipient(campaign, "01000000005", status="expired", batch_id=99)
    rows.recipient(other, "01000000001")
    rows.recipient(other, "01000000005", status="expired", batch_id=98)
    ranged = BatchRef(rows.batch(campaign, first_id=first, last_id=first + 2), campaign, "SMS",
                      1, first, first + 2)  # fmt: skip
    late = BatchRef(99, campaign, "SMS", 1, expired, expired)
    # A member of `ranged` the deadline expired: its late result comes in the same page as the
    # open members' (same batch, another old status: another group of rows on SQLite).
    ranged_late = rows.recipient(campaign, "01000000006", status="expired", batch_id=ranged.id)
    page = [
        _result("01000000001", "delivered", "0", ranged),
        _result("01000000003", "delivered", "0", ranged),  # an LMS number: not in it
        _result("01000000004", "retry_wait", "3020", resent),
        _result("01000000005", "delivered", "0", late, R.EXPIRED),
        _result("01000000002", "failed", "2001", resent),  # not a member of that batch
        _result("01000000006", "delivered", "0", ranged, R.EXPIRED),
    ]
    with Watch(any_db) as seen:
        assert results.apply(any_db, page) == Counter({ranged.id: 2, resent.id: 1, 99: 1})
        assert sum(results.apply(any_db, page).values()) == 0
    written = {"result_code": "0", "result_family": "sens", "result_outcome": "delivered",
               "telco": "SKT", "completed_at": T0}  # fmt: skip
    assert seen.diff == {
        ("recipient", first): {**written, "status": "delivered", "message_id": "m-01",
                               "batch_id": ranged.id, "attempts": 1},
        ("recipient", listed): {**written, "status": "retry_wait", "result_code": "3020",
                                "result_outcome": "retry_wait", "message_id": "m-04",
                                "next_attempt_at": T0 + MIN, "attempts": 2},
        ("recipient", expired): {**written, "status": "delivered", "message_id": "m-05",
                                 "attempts": 1},
        ("recipient", ranged_late): {**written, "status": "delivered", "message_id": "m-06",
                                     "attempts": 1},
    }  # fmt: skip
    assert ("recipient", second) not in seen.diff
    assert results.apply(any_db, []) == Counter()


def test_a_page_value_json_cannot_carry_is_refused_by_its_type() -> None:
    # Only datetimes are converted; anything else (a date slipped in for a time) must fail
    # loudly, naming what it was, rather than reach the UPDATE as some other text.
    with pytest.raises(TypeError, match=r"^date is not JSON serializable$"):
        results.as_json([{"b_done": date(2025, 11, 25)}])
