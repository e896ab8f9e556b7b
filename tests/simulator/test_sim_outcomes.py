"""simulator.outcomes: deterministic codes, delays and pending flags; log masking."""

from collections import Counter

from simulator.masking import mask_numbers
from simulator.outcomes import code_for, complete_delay_for, stays_pending, telco_for
from worker.domain.codes import Outcome, catalogue

NUMBERS = [f"010{i:08d}" for i in range(10_000)]


def test_code_for_is_deterministic_and_seeded():
    first = [code_for(42, n) for n in NUMBERS[:500]]
    assert first == [code_for(42, n) for n in NUMBERS[:500]]
    assert first != [code_for(7, n) for n in NUMBERS[:500]]


def test_code_for_known_values():
    # Pinned values: a change to the hash or the weights must be deliberate.
    pinned = {15: "1001", 17: "3001", 19: "2005", 29: "3001", 33: "3001"}
    assert [code_for(42, n) for n in NUMBERS[10:40]] == [pinned.get(i, "0") for i in range(10, 40)]


def test_every_code_is_in_the_sens_catalogue():
    known = catalogue("sens")
    assert {code_for(42, n) for n in NUMBERS} <= set(known)


def test_mix_is_mostly_success_with_retryable_and_failed():
    codes = Counter(code_for(42, n) for n in NUMBERS)
    assert 0.82 < codes["0"] / len(NUMBERS) < 0.88
    outcomes = Counter(catalogue("sens")[code].outcome for code in codes.elements())
    assert outcomes[Outcome.RETRYABLE] > 500
    assert outcomes[Outcome.FAILED] > 400
    assert {"2003", "2005", "2000", "1001", "3001", "3003", "3012"} <= set(codes)


def test_complete_delay_between_half_and_one_and_a_half_base():
    delays = [complete_delay_for(42, n, 2.0) for n in NUMBERS[:2000]]
    assert all(1.0 <= d <= 3.0 for d in delays)
    assert min(delays) < 1.1 and max(delays) > 2.9
    assert complete_delay_for(42, NUMBERS[0], 2.0) == complete_delay_for(42, NUMBERS[0], 2.0)


def test_stays_pending_follows_the_rate():
    assert not any(stays_pending(42, n, 0.0) for n in NUMBERS[:1000])
    assert all(stays_pending(42, n, 1.0) for n in NUMBERS[:1000])
    share = sum(stays_pending(42, n, 0.1) for n in NUMBERS) / len(NUMBERS)
    assert 0.08 < share < 0.12


def test_telco_is_a_korean_operator():
    assert {telco_for(42, n) for n in NUMBERS[:1000]} == {"SKT", "KT", "LGU"}


def test_mask_numbers():
    assert mask_numbers("to=01012345678&from=0212345678") == "to=010****5678&from=021****5678"
    assert mask_numbers("ncp:sms:kr:000000000000:x") == "ncp:sms:kr:000000000000:x"


def test_transient_codes_recover_on_the_chosen_attempt_and_permanent_ones_never():
    numbers = [f"0103{i:07d}" for i in range(3000)]
    firsts = {n: code_for(42, n) for n in numbers}
    transient = [n for n, code in firsts.items() if code in {"2003", "2005", "2000", "1001"}]
    permanent = [n for n, code in firsts.items() if code in {"3001", "3003", "3012"}]
    assert transient and permanent
    for number in transient:
        assert code_for(42, number, attempt=0, recover_after=1) == firsts[number]
        assert code_for(42, number, attempt=1, recover_after=1) == "0"
        assert code_for(42, number, attempt=1, recover_after=2) == firsts[number]
        assert code_for(42, number, attempt=5, recover_after=0) == firsts[number]
    for number in permanent:
        assert code_for(42, number, attempt=3, recover_after=1) == firsts[number]
