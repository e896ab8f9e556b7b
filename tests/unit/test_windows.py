"""The SENS list-query builder: every query it makes obeys seed 003's rules, and covers the span."""

import re
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from simulator.sens.windows import parse_list_query
from worker.domain.windows import (
    ListQuery,
    WindowError,
    by_request_id,
    complete_windows,
    request_windows,
)

SEOUL = ZoneInfo("Asia/Seoul")
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)
NOW = datetime(2025, 11, 25, 3, 30, 15, 250_000, tzinfo=UTC)

# --- an independent checker: seed 003's rules, re-read from the params SENS would get -------

LIMITS = {"request": timedelta(days=30), "complete": timedelta(hours=24)}


def _seoul(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SEOUL)


def check_params(params: dict[str, str | int], now: datetime) -> tuple[str, datetime, datetime]:
    """Assert seed 003's list rules on `params`; return (kind prefix, start, end inclusive)."""
    windows = [p for p in ("request", "complete") if f"{p}StartTime" in params]
    assert "requestId" not in params  # time queries only here
    assert len(windows) == 1, "exactly one window, never both (seed 003)"
    (prefix,) = windows
    assert {f"{prefix}StartTime", f"{prefix}EndTime", "pageSize"} == set(params)
    start, end = _seoul(str(params[f"{prefix}StartTime"])), _seoul(str(params[f"{prefix}EndTime"]))
    assert start <= end
    assert end - start <= LIMITS[prefix]
    assert start >= now - timedelta(days=90), "history is kept 90 days"
    assert end <= now, "never asks about the future"
    assert 1 <= int(params["pageSize"]) <= 100
    return prefix, start, end


def check_with_simulator(params: dict[str, str | int], now: datetime) -> None:
    """The simulator's own validator accepts the query, with the same window."""
    parsed = parse_list_query({k: str(v) for k, v in params.items()}, now.timestamp())
    window = parsed.request_window or parsed.complete_window
    assert window is not None
    assert parsed.page_size == params["pageSize"]


# --- property-based ------------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2021, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
spans = st.one_of(
    st.floats(min_value=0, max_value=120),  # seconds
    st.floats(min_value=0, max_value=200 * 86400),  # up to 200 days
)
builders = st.sampled_from([("complete", complete_windows), ("request", request_windows)])


def _floor(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _ceil(moment: datetime) -> datetime:
    return _floor(moment) + (SECOND if moment.microsecond else timedelta(0))


@settings(max_examples=300, deadline=None)
@given(
    now=moments,
    back=st.floats(min_value=-2 * 86400, max_value=210 * 86400),
    span=spans,
    page_size=st.integers(min_value=-3, max_value=130),
    builder=builders,
)
def test_built_windows_are_valid_contiguous_and_cover_the_span(
    now: datetime, back: float, span: float, page_size: int, builder: tuple
) -> None:
    prefix, build = builder
    start = now - timedelta(seconds=back)
    end = start + timedelta(seconds=span)
    if not 1 <= page_size <= 100:
        with pytest.raises(WindowError):
            build(start, end, now, page_size)
        return
    queries = build(start, end, now, page_size)

    # The clipped span in whole seconds: inside the 90-day history (1 min margin), not after now.
    earliest = _ceil(now - timedelta(days=90, minutes=-1))
    low, high = max(start, earliest), min(end, now)
    first, stop = max(_floor(low), earliest), _ceil(high)
    if high <= low:
        assert queries == []
        return
    assert queries, "a non-empty span gives at least one window"
    windows = []
    for query in queries:
        params = query.params()
        kind, low, high = check_params(params, now)
        assert kind == prefix  # never mixes kinds
        assert params["pageSize"] == page_size
        check_with_simulator(params, now)
        windows.append((low, high))
    assert windows[0][0] == first
    assert windows[-1][1] == stop - SECOND
    for (_, high), (low, _) in pairwise(windows):
        assert low == high + SECOND, "contiguous: no gap, no overlap at second resolution"


@settings(max_examples=200, deadline=None)
@given(now=moments, back=st.floats(0, 100 * 86400), span=spans, pick=st.floats(0, 1))
def test_every_moment_of_the_span_is_in_exactly_one_window(
    now: datetime, back: float, span: float, pick: float
) -> None:
    start = now - timedelta(seconds=back)
    end = start + timedelta(seconds=span)
    moment = start + (end - start) * pick
    assume(start <= moment < end and moment < now)
    assume(moment >= now - timedelta(days=90) + timedelta(minutes=1, seconds=1))
    second = _floor(moment)
    for build in (complete_windows, request_windows):
        holding = [q for q in build(start, end, now) if q.start <= second <= q.end]
        assert len(holding) == 1


@settings(max_examples=200, deadline=None)
@given(page_size=st.integers(min_value=-5, max_value=1200))
def test_page_size_by_request_id(page_size: int) -> None:
    if 1 <= page_size <= 1000:
        assert by_request_id("R-1", page_size).params() == {
            "requestId": "R-1",
            "pageSize": page_size,
        }
    else:
        with pytest.raises(WindowError):
            by_request_id("R-1", page_size)


# --- examples ------------------------------------------------------------------------------


def test_by_request_id_defaults_to_1000_and_simulator_accepts_it() -> None:
    query = by_request_id("RSSA-1")
    assert query.params() == {"requestId": "RSSA-1", "pageSize": 1000}
    parsed = parse_list_query({k: str(v) for k, v in query.params().items()}, NOW.timestamp())
    assert (parsed.request_id, parsed.page_size) == ("RSSA-1", 1000)


def test_params_are_seoul_local_whole_seconds() -> None:
    start = datetime(2025, 11, 24, 0, 0, 0, tzinfo=UTC)
    (query,) = complete_windows(start, start + timedelta(hours=1), NOW)
    assert query.params() == {
        "completeStartTime": "2025-11-24 09:00:00",
        "completeEndTime": "2025-11-24 09:59:59",
        "pageSize": 100,
    }


def test_48_hours_give_two_24_hour_windows_back_to_back() -> None:
    start = datetime(2025, 11, 20, 0, 0, 0, tzinfo=UTC)
    first, second = complete_windows(start, start + 2 * DAY, NOW)
    assert (first.start, first.end) == (start, start + DAY - SECOND)
    assert (second.start, second.end) == (start + DAY, start + 2 * DAY - SECOND)


def test_request_windows_take_30_days_each() -> None:
    start = NOW - timedelta(days=75)
    queries = request_windows(start, NOW, NOW)
    assert len(queries) == 3
    assert [q.end - q.start for q in queries[:2]] == [timedelta(days=30) - SECOND] * 2
    assert queries[-1].end == _ceil(NOW) - SECOND


def test_sub_second_edges_are_rounded_outwards() -> None:
    start = datetime(2025, 11, 25, 1, 0, 0, 700_000, tzinfo=UTC)
    end = datetime(2025, 11, 25, 1, 0, 5, 200_000, tzinfo=UTC)
    (query,) = complete_windows(start, end, NOW)
    assert (query.start, query.end) == (_floor(start), _floor(end))
    (whole,) = complete_windows(_floor(start), _floor(end), NOW)
    assert whole.end == _floor(end) - SECOND  # [start, end) excludes the end second


def test_empty_or_reversed_span_gives_nothing() -> None:
    assert complete_windows(NOW - DAY, NOW - DAY, NOW) == []  # fractional, yet empty
    assert complete_windows(NOW - DAY, NOW - DAY + timedelta(microseconds=1), NOW) != []
    assert request_windows(NOW - DAY, NOW - 2 * DAY, NOW) == []


def test_start_is_clipped_to_90_days_with_a_margin() -> None:
    (oldest, *_) = request_windows(NOW - timedelta(days=200), NOW, NOW)
    assert oldest.start == _ceil(NOW - timedelta(days=90) + timedelta(minutes=1))
    assert request_windows(NOW - timedelta(days=120), NOW - timedelta(days=95), NOW) == []


def test_end_is_clipped_to_now() -> None:
    (query,) = complete_windows(NOW - timedelta(hours=1), NOW + timedelta(days=3), NOW)
    assert query.end == _ceil(NOW) - SECOND
    assert query.end <= NOW
    assert complete_windows(NOW + DAY, NOW + 2 * DAY, NOW) == []


def test_dst_zones_are_measured_in_real_time() -> None:
    new_york = ZoneInfo("America/New_York")
    start = datetime(2025, 11, 1, 12, 0, 0, tzinfo=new_york)  # DST ends 2 Nov 2025
    now = datetime(2025, 11, 10, tzinfo=new_york)
    queries = complete_windows(start, start + 3 * DAY, now)
    for query in queries:
        check_params(query.params(), now)
    assert sum((q.end - q.start + SECOND for q in queries), timedelta(0)) == timedelta(hours=73)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: complete_windows(datetime(2025, 11, 24), NOW, NOW),
            "start must be timezone-aware",
        ),
        (
            lambda: request_windows(NOW - DAY, datetime(2025, 11, 25), NOW),
            "end must be timezone-aware",
        ),
        (
            lambda: complete_windows(NOW - DAY, NOW, datetime(2025, 11, 25)),
            "now must be timezone-aware",
        ),
        (
            lambda: complete_windows(NOW - DAY, NOW, NOW, page_size=101),
            "pageSize 101 must be an integer from 1 to 100 for complete_time",
        ),
        (lambda: request_windows(NOW - DAY, NOW, NOW, page_size=0), "pageSize 0 must be"),
    ],
    ids=["naive-start", "naive-end", "naive-now", "page-101", "page-0"],
)
def test_builders_refuse(build: object, message: str) -> None:
    with pytest.raises(WindowError, match=f"^{re.escape(message)}"):
        build()  # type: ignore[operator]


START = datetime(2025, 11, 24, 0, 0, 0, tzinfo=UTC)


# Seed 003, "Search for message delivery request": requestId, or a request-time window of at
# most 30 days, or a complete-time window of at most 24 hours; pageSize ≤ 100, ≤ 1000 by requestId.
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"kind": "complete_time", "start": START, "end": START + DAY + SECOND},
            "a complete_time window spans at most 1 day, 0:00:00",
        ),
        (
            {"kind": "request_time", "start": START, "end": START + timedelta(days=30, seconds=1)},
            "a request_time window spans at most 30 days, 0:00:00",
        ),
        ({"kind": "complete_time", "start": START, "end": START - SECOND}, "end is before start"),
        (
            {"kind": "complete_time", "start": START.replace(tzinfo=None), "end": START},
            "start must be timezone-aware, got naive 2025-11-24T00:00:00",
        ),
        (
            {"kind": "complete_time", "start": START, "end": START.replace(tzinfo=None)},
            "end must be timezone-aware",
        ),
        (
            {"kind": "complete_time", "start": START, "end": START + timedelta(microseconds=5)},
            "end must be a whole second (the API takes HH:mm:ss)",
        ),
        (
            {
                "kind": "complete_time",
                "start": START + timedelta(microseconds=5),
                "end": START + DAY,
            },
            "start must be a whole second",
        ),
        (
            {"kind": "complete_time", "start": START},
            "a complete_time query needs both start and end",
        ),
        (
            {"kind": "complete_time", "request_id": "R", "start": START, "end": START},
            "a complete_time query takes no request_id",
        ),
        (
            {"kind": "request_id", "request_id": "R", "start": START, "end": START},
            "a request_id query takes no time window",
        ),
        (
            {"kind": "request_id", "request_id": "R", "start": START},
            "a request_id query takes no time window",
        ),
        (
            {"kind": "request_id", "request_id": "R", "end": START},
            "a request_id query takes no time window",
        ),
        ({"kind": "request_id"}, "a request_id query needs a non-empty request_id"),
        (
            {"kind": "request_id", "request_id": ""},
            "a request_id query needs a non-empty request_id",
        ),
        (
            {"kind": "request_id", "request_id": "R", "page_size": 1001},
            "pageSize 1001 must be an integer from 1 to 1000 for request_id",
        ),
        (
            {"kind": "request_time", "start": START, "end": START, "page_size": 1000},
            "pageSize 1000 must be an integer from 1 to 100 for request_time",
        ),
        (
            {"kind": "request_time", "start": START, "end": START, "page_size": True},
            "pageSize True must be",
        ),
        ({"kind": "by_magic", "request_id": "R"}, "unknown list query kind 'by_magic'"),
    ],
)
def test_an_invalid_list_query_cannot_be_constructed(fields: dict, message: str) -> None:
    with pytest.raises(WindowError, match=f"^{re.escape(message)}"):
        ListQuery(**fields)


def test_the_limits_themselves_are_allowed() -> None:
    ListQuery("complete_time", start=START, end=START + DAY)
    ListQuery("request_time", start=START, end=START + timedelta(days=30), page_size=1)
    ListQuery("request_id", request_id="R", page_size=1000)


def test_within_history() -> None:
    query = ListQuery("request_time", start=START, end=START + DAY)
    assert query.within_history(START + timedelta(days=90))
    assert not query.within_history(START + timedelta(days=90, seconds=1))
    assert by_request_id("R").within_history(NOW)
    with pytest.raises(WindowError, match=r"^now must be timezone-aware"):
        query.within_history(datetime(2026, 1, 1))
