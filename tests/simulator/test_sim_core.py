"""The compact building blocks of the stores: CountTable, NumberList and PackedRows."""

from collections import Counter
from random import Random

from simulator.core.numbers import NumberList, pack, unpack
from simulator.core.packed import CACHED_BLOBS, PackedRows
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


def test_count_table_add_many_counts_repeats_inside_one_call_through_growth():
    rng = Random(5)
    keys = [rng.randrange(1, 2**64) for _ in range(500)]
    keys = keys + keys[:50] + [7, 7, 7]
    table, expected = CountTable(bits=2), Counter()
    before = table.add_many(keys)
    for key, seen in zip(keys, before, strict=True):
        assert seen == expected[key]
        expected[key] += 1
    assert dict(table.items()) == dict(expected)
    assert table.add_many([7]) == [3]


def test_numbers_pack_with_their_leading_zeros():
    assert unpack(pack("01012345678")) == "01012345678"
    assert unpack(pack("000")) == "000"
    assert pack("") == pack("010-1234") == pack("1" * 19) == 0


def test_number_list_keeps_odd_numbers_aside():
    numbers = ["01012345678", "+821012345678", "0" * 25, "4155550123", ""]
    kept = NumberList(numbers)
    assert list(kept) == numbers and len(kept) == 5
    assert kept[1] == "+821012345678" and kept[-1] == ""


def test_packed_rows_give_back_each_row_exactly():
    rows = [
        ("김민준님, 쿠폰 C00000001", None, '{"이름": "김민준"}'),
        (None, "제목", None),
        ('줄\n바꿈 "따옴표" \\ \u0000 끝', "", "[]"),
        (None, None, None),
    ]
    packed = PackedRows(rows, 3)
    assert [packed[i] for i in range(len(rows))] == rows
    assert packed[-1] == (None, None, None)


def test_packed_rows_without_texts_keep_no_blob():
    packed = PackedRows([(None, None)] * 100, 2)
    assert packed.packed_size == 0 and packed[57] == (None, None)
    assert PackedRows([], 1).packed_size == 0


def test_personalized_rows_pack_to_a_few_bytes_each():
    rows = [(f"[봄 세일] 고객{i % 7}님, 쿠폰 C{i:08d} 으로 20% 할인", None) for i in range(1000)]
    packed = PackedRows(rows, 2)
    assert packed.packed_size < 20 * len(rows)
    assert packed[999] == rows[999]


def test_more_blobs_than_the_cache_holds_still_read_right():
    requests = [PackedRows([(f"request {r} message {m}",) for m in range(5)], 1) for r in range(40)]
    assert len(requests) > CACHED_BLOBS
    for _ in range(2):
        for m in range(5):
            for r, packed in enumerate(requests):
                assert packed[m] == (f"request {r} message {m}",)
