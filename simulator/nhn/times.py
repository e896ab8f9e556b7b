"""NHN time formats; every API time is Asia/Seoul local time (the guide's examples are KST)."""

import re

from simulator.core.kst import parse_seoul, seoul

QUERY_FORMAT = "%Y-%m-%d %H:%M:%S"
QUERY_TEXT = "yyyy-MM-dd HH:mm:ss"
REQUEST_FORMAT = "%Y-%m-%d %H:%M"
REQUEST_TEXT = "yyyy-MM-dd HH:mm"
_QUERY_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_REQUEST_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def format_date(epoch: float) -> str:
    """A list/get date: yyyy-MM-dd HH:mm:ss.S, as the guide shows it ("2018-08-10 10:06:30.0").

    The guide's answers always end ".0": times are kept to the second.
    """
    return seoul(epoch).strftime(QUERY_FORMAT) + ".0"


def format_hook_date(epoch: float) -> str:
    """A webhook MESSAGE_RESULT_UPDATE date: yyyy-MM-dd'T'HH:mm:ss (webhook.md)."""
    return seoul(epoch).strftime("%Y-%m-%dT%H:%M:%S")


def format_offset_date(epoch: float) -> str:
    """A webhook UNSUBSCRIBE date: yyyy-MM-dd'T'HH:mm:ss.SSSXXX (webhook.md)."""
    moment = seoul(epoch)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+09:00"


def id_stamp(epoch: float) -> str:
    """yyyyMMddHHmmss in KST: the first 14 characters of a requestId."""
    return seoul(epoch).strftime("%Y%m%d%H%M%S")


def parse_query_date(text: str) -> float:
    """Epoch seconds of a yyyy-MM-dd HH:mm:ss Seoul time; ValueError when malformed."""
    if not _QUERY_SHAPE.fullmatch(text):
        raise ValueError(text)
    return parse_seoul(text, QUERY_FORMAT)


def parse_request_date(text: str) -> float:
    """Epoch seconds of a send's requestDate, yyyy-MM-dd HH:mm Seoul; ValueError if malformed."""
    if not _REQUEST_SHAPE.fullmatch(text):
        raise ValueError(text)
    return parse_seoul(text, REQUEST_FORMAT)
