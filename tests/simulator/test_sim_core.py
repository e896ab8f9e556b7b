"""The compact building blocks of the stores: CountTable and NumberList."""

from collections import Counter
from random import Random

from simulator.core.numbers import NumberList, pack, unpack
from simulator.core.tally import CountTable


def test_count_table_counts_like_a_counter_through_growth():
    rng = Random(3)
    keys = [rng.randrange(1, 2**64) for _ in range(3000)] * 2 + [1, 2, 3, 1]
    table, expected = CountTable(bits=2), Counter()
    for key in keys:
        assert table.add(key) == expected[key]
        expected[key] += 1
    assert len(table) == len(expected)
    assert dict(table.items()) == dict(expected)
    assert table.get(12345) == 0 and table.get(1) == 2


def test_numbers_pack_with_their_leading_zeros():
    assert unpack(pack("01012345678")) == "01012345678"
    assert unpack(pack("000")) == "000"
    assert pack("") == pack("010-1234") == pack("1" * 19) == 0


def test_number_list_keeps_odd_numbers_aside():
    numbers = ["01012345678", "+821012345678", "0" * 25, "4155550123", ""]
    kept = NumberList(numbers)
    assert list(kept) == numbers and len(kept) == 5
    assert kept[1] == "+821012345678" and kept[-1] == ""
