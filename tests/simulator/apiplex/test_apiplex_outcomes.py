"""Reproducible results per (seed, number), consistent with seeds 000/001 and our catalogue."""

import pytest

from simulator.apiplex.codes import ERRORS, STATUSES
from simulator.apiplex.networks import network_for
from simulator.apiplex.outcomes import DELIVERED, MIX, OUTCOMES, code_for
from simulator.apiplex.segments import sms_count
from worker.domain.codes import Outcome, lookup

NUMBERS = [f"+4477009{i:05d}" for i in range(20_000)]


def test_same_seed_same_results_other_seed_other_results():
    first = [code_for(42, n) for n in NUMBERS[:2000]]
    assert first == [code_for(42, n) for n in NUMBERS[:2000]]
    assert first != [code_for(7, n) for n in NUMBERS[:2000]]


def test_the_mix_follows_its_shares():
    drawn = [code_for(42, n) for n in NUMBERS]
    for outcome, (_, _, share) in zip(OUTCOMES, MIX, strict=True):
        assert drawn.count(outcome) / len(drawn) == pytest.approx(share, abs=0.006)
    groups = {o.status.group_name for o in drawn}
    assert groups == {"DELIVERED", "UNDELIVERABLE", "EXPIRED", "REJECTED"}
    assert sum(o.delivered for o in drawn) / len(drawn) == pytest.approx(0.86, abs=0.01)
    assert sum(o.transient for o in drawn) / len(drawn) == pytest.approx(0.07, abs=0.01)


def test_transient_results_recover_from_recover_after():
    transient = next(n for n in NUMBERS if code_for(42, n).transient)
    permanent = next(n for n in NUMBERS if code_for(42, n).error.permanent)
    first = code_for(42, transient)
    assert [code_for(42, transient, a, 2) for a in range(4)] == [first, first, DELIVERED, DELIVERED]
    assert code_for(42, transient, 5, 0) == first  # 0: never recovers
    assert {code_for(42, permanent, a, 1) for a in range(4)} == {code_for(42, permanent)}


@pytest.mark.parametrize("status", STATUSES.values(), ids=lambda s: s.name)
def test_result_codes_are_seed_000_rows(status):
    row = lookup("apiplex", str(status.id), "result")
    assert row.title == status.name
    assert row.description == f"{status.description} [status group {status.group_id} " + (
        f"{status.group_name}]"
    )
    assert row.charged is status.charged


@pytest.mark.parametrize("error", ERRORS.values(), ids=lambda e: e.name)
def test_service_errors_are_seed_001_rows_permanent_where_we_class_failed(error):
    row = lookup("apiplex", str(error.id), "service_error")
    assert row.title == error.name
    assert row.description == (
        f"{error.description} [error group {error.group_id} {error.group_name}]"
    )
    assert error.permanent is (row.outcome is Outcome.FAILED)


@pytest.mark.parametrize("outcome", OUTCOMES, ids=lambda o: f"{o.status.name}/{o.error.name}")
def test_each_outcome_classes_as_our_catalogue_does(outcome):
    status = lookup("apiplex", str(outcome.status.id), "result").outcome
    error = lookup("apiplex", str(outcome.error.id), "service_error").outcome
    assert outcome.delivered is (status is Outcome.DELIVERED)
    assert outcome.transient is (error is Outcome.RETRYABLE)
    if outcome.delivered:
        assert outcome.error.id == 0


@pytest.mark.parametrize(
    ("text", "parts"),
    [("hello", 1), ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
     ("€" * 80, 1), ("€" * 81, 2), ("안녕하세요", 1), ("가" * 70, 1), ("가" * 71, 2),
     ("가" * 134, 2), ("가" * 135, 3), ("a" * 159 + "é", 1), ("a" * 69 + "😀", 2)],
)  # fmt: skip
def test_sms_count_follows_gsm7_and_ucs2_parts(text, parts):
    assert sms_count(text) == parts


def test_networks():
    mcc, mnc = network_for(42, "+821012345678")
    assert mcc == "450" and mnc in {"05", "08", "06"}
    assert network_for(42, "+447700900123")[0] == "234"
    assert network_for(42, "+85291234567")[0] == "454"
    assert network_for(42, "+14155550123") == network_for(42, "+14155550123")
    assert network_for(42, "+2125551234") == (None, None)
