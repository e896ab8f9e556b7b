"""SensClient reservations on a fake transport: reserveTime, 10-minute lead, status, cancel."""

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest

from tests.unit.test_sens_client import ACCEPTED, NOW, SERVICE_PATH, assert_signed, make_client, sms
from worker.domain.reservations import FINAL, MIN_LEAD, ReservationStatus
from worker.providers.errors import Rejected
from worker.providers.sens import payloads

NOW_UTC = datetime.fromtimestamp(NOW, UTC)  # 2023-11-14 22:13:20.5 UTC = 07:13 on the 15th KST


def test_reserve_time_is_sent_in_seoul_local_minutes() -> None:
    client, fake = make_client(ACCEPTED)
    at = datetime(2023, 11, 14, 23, 0, 42, tzinfo=UTC)  # 08:00:42 on 15 Nov in Seoul
    client.send(sms("01012345678", reserve_time=at))
    body = fake.calls[0].body
    assert body["reserveTime"] == "2023-11-15 08:00"
    assert body["reserveTimeZone"] == "Asia/Seoul"


def test_reserve_time_follows_the_given_zone() -> None:
    client, fake = make_client(ACCEPTED)
    at = datetime(2023, 11, 14, 23, 0, tzinfo=UTC)
    client.send(sms("01012345678", reserve_time=at, reserve_time_zone="Europe/Berlin"))
    body = fake.calls[0].body
    assert (body["reserveTime"], body["reserveTimeZone"]) == ("2023-11-15 00:00", "Europe/Berlin")


def test_no_reservation_fields_without_reserve_time() -> None:
    client, fake = make_client(ACCEPTED)
    client.send(sms("01012345678"))
    assert "reserveTime" not in fake.calls[0].body
    assert "reserveTimeZone" not in fake.calls[0].body


@pytest.mark.parametrize(
    "lead",
    [timedelta(minutes=9, seconds=59), timedelta(minutes=5), timedelta(0), -timedelta(hours=1)],
)
def test_reservation_under_10_minutes_is_refused_before_any_call(lead: timedelta) -> None:
    client, fake = make_client(ACCEPTED)
    with pytest.raises(ValueError, match="at least 10 minutes"):
        client.send(sms("01012345678", reserve_time=NOW_UTC + lead))
    assert fake.calls == []


def test_reservation_lead_counts_the_minute_sens_will_see() -> None:
    # NOW is hh:mm:20.5; now + 10 min 30 s is sent as hh:mm+10, i.e. only 9 min 39.5 s ahead.
    client, fake = make_client(ACCEPTED, ACCEPTED)
    with pytest.raises(ValueError):
        client.send(sms("01012345678", reserve_time=NOW_UTC + timedelta(minutes=10, seconds=30)))
    client.send(sms("01012345678", reserve_time=NOW_UTC + timedelta(minutes=11)))
    assert len(fake.calls) == 1
    assert timedelta(minutes=10) == MIN_LEAD


def test_a_zone_that_is_not_a_tz_name_is_named_in_the_refusal() -> None:
    request = sms("01012345678", reserve_time=NOW_UTC + timedelta(hours=1),
                  reserve_time_zone="Mars/Olympus")  # fmt: skip
    with pytest.raises(ValueError, match=r"^reserve_time_zone 'Mars/Olympus' is not a TZ database"):
        payloads.send_body(request)


class NoOffset(tzinfo):
    """A tzinfo that knows no offset: the datetime is naive all the same."""

    def utcoffset(self, moment: datetime | None) -> None:
        return None


def test_a_reserve_time_whose_zone_has_no_offset_is_refused() -> None:
    request = sms("01012345678", reserve_time=datetime(2030, 1, 1, 9, 0, tzinfo=NoOffset()))
    with pytest.raises(ValueError, match=r"^reserve_time must be a timezone-aware datetime$"):
        payloads.send_body(request)


# 22:14:00 UTC on 14 Nov 2023, a whole minute; the reservation below is 22:24 sharp.
MINUTE = NOW + 39.5
AT_MINUTE = datetime.fromtimestamp(MINUTE, UTC) + MIN_LEAD


def test_a_reservation_exactly_10_minutes_ahead_is_taken() -> None:
    payloads.check_reservation(sms("01012345678", reserve_time=AT_MINUTE), MINUTE)


@pytest.mark.parametrize(
    ("late", "extra"),
    [(0.5, timedelta(0)), (0.5, timedelta(seconds=0.9)), (0.000001, timedelta(0))],
    ids=["half a second late", "seconds of the reservation cut", "a microsecond late"],
)
def test_a_reservation_one_instant_short_of_10_minutes_is_refused(
    late: float, extra: timedelta
) -> None:
    # SENS takes the minute: what is past it in the reservation never adds to the lead.
    with pytest.raises(ValueError, match="at least 10 minutes"):
        payloads.check_reservation(
            sms("01012345678", reserve_time=AT_MINUTE + extra), MINUTE + late
        )


@pytest.mark.parametrize(
    "changes",
    [
        {"reserve_time": datetime(2030, 1, 1, 9, 0)},  # naive
        {"reserve_time": datetime(2030, 1, 1, tzinfo=UTC), "reserve_time_zone": "Mars/Olympus"},
    ],
    ids=["naive", "unknown-zone"],
)
def test_bad_reservation_is_refused_before_any_call(changes: dict) -> None:
    client, fake = make_client(ACCEPTED)
    with pytest.raises(ValueError):
        client.send(sms("01012345678", **changes))
    assert fake.calls == []


def _status(value: str) -> tuple[int, dict[str, str]]:
    return 200, {
        "reserveId": "R-1",
        "reserveTimeZone": "Asia/Seoul",
        "reserveTime": "2023-11-15 08:00",
        "reserveStatus": value,
    }


@pytest.mark.parametrize("value", [s.value for s in ReservationStatus])
def test_reservation_status(value: str) -> None:
    client, fake = make_client(_status(value))
    status = client.reservation_status("R-1")
    assert status == value
    assert isinstance(status, ReservationStatus)
    (call,) = fake.calls
    assert call.request.path_url == f"{SERVICE_PATH}/reservations/R-1/reserve-status"
    assert_signed(call, "GET")


def test_unknown_reservation_status_value_is_passed_on() -> None:
    client, _ = make_client(_status("QUEUED"))
    assert client.reservation_status("R-1") == "QUEUED"


@pytest.mark.parametrize(
    "answer",
    [
        (404, b""),
        (404, {"statusCode": "404", "statusName": "fail", "errorMessage": "unknown R-9"}),
        (200, {"reserveId": "R-9"}),
    ],
    ids=["empty-404", "sens-404", "no-status"],
)
def test_unknown_reservation_status_is_rejected(answer: tuple) -> None:
    client, _ = make_client(answer)
    with pytest.raises(Rejected) as info:
        client.reservation_status("R-9")
    assert (info.value.provider, info.value.status) == ("sens", 404)
    if answer[1] == b"" or answer[0] == 200:
        # An empty 404 or an answer without a status: SENS knows no such reservation.
        assert info.value.message == "no reservation R-9"


def test_cancel_reservation_is_a_signed_delete() -> None:
    client, fake = make_client((204, b""))
    assert client.cancel_reservation("R-1") is None
    (call,) = fake.calls
    assert call.request.path_url == f"{SERVICE_PATH}/reservations/R-1"
    assert_signed(call, "DELETE")
    assert call.request.body is None


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (404, b"", "Not Found"),
        (404, {"statusCode": "404", "statusName": "fail", "errorMessage": "no R-1"}, "no R-1"),
        (400, {"statusCode": "400", "statusName": "fail", "errorMessage": "already sent"}, "sent"),
    ],
    ids=["empty-404", "sens-404", "already-sent"],
)
def test_cancel_refusals_are_rejected_with_the_message(
    status: int, body: object, message: str
) -> None:
    client, _ = make_client((status, body))
    with pytest.raises(Rejected, match=message) as info:
        client.cancel_reservation("R-1")
    assert info.value.status == status


def test_final_statuses() -> None:
    assert {s.value for s in FINAL} == {"CANCELED", "FAIL", "DONE", "STALE", "SKIP"}
    assert ReservationStatus.READY not in FINAL
    assert ReservationStatus.PROCESSING not in FINAL


def test_reserve_time_zone_defaults_to_seoul() -> None:
    request = sms("01012345678", reserve_time=datetime(2030, 1, 1, tzinfo=ZoneInfo("Asia/Seoul")))
    assert request.reserve_time_zone == "Asia/Seoul"


def test_a_reserve_time_without_a_zone_is_refused() -> None:
    client, fake = make_client(ACCEPTED)
    with pytest.raises(ValueError, match=r"^reserve_time must be a timezone-aware datetime$"):
        client.send(sms("01012345678", reserve_time=datetime(2030, 1, 1, 9, 0)))
    assert fake.calls == []
