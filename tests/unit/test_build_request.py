"""A batch's request: each message rendered with its values and carrying them, the template
and the subject passed on for the providers that need them, unrenderable rows reported."""

from types import SimpleNamespace

import pytest

from worker.domain.messages import ContentType, MessageType
from worker.services.rendering import build_request

TEMPLATE = "{name}님, 주문 {order} 배송이 시작되었습니다"


def _campaign(**changes: object) -> SimpleNamespace:
    values = {"template": TEMPLATE, "content_type": "COMM", "sender": "0212345678",
              "subject": "배송 안내", "country_code": "82", **changes}  # fmt: skip
    return SimpleNamespace(**values)


def _row(row_id: int, phone: str, **variables: str) -> SimpleNamespace:
    return SimpleNamespace(id=row_id, phone=phone, variables=variables)


def test_each_message_carries_its_text_and_the_values_it_was_rendered_from() -> None:
    rows = [
        _row(1, "01012345678", name="김철수", order="A-1"),
        _row(2, "01087654321", name="이영희", order="B-2"),
    ]
    rendered = build_request(_campaign(), SimpleNamespace(id=7, message_type="SMS"), rows)
    request = rendered.request
    assert rendered.failures == {} and request is not None
    # NHN fills the template itself: it needs both, and they must agree with our check.
    assert request.template == TEMPLATE
    assert [(m.to, m.content, dict(m.variables)) for m in request.messages] == [
        (
            "01012345678",
            "김철수님, 주문 A-1 배송이 시작되었습니다",
            {"name": "김철수", "order": "A-1"},
        ),
        (
            "01087654321",
            "이영희님, 주문 B-2 배송이 시작되었습니다",
            {"name": "이영희", "order": "B-2"},
        ),
    ]
    assert (request.message_type, request.content_type) == (MessageType.SMS, ContentType.COMM)
    assert (request.sender, request.country_code, request.batch_id) == ("0212345678", "82", 7)


@pytest.mark.parametrize(
    ("kind", "subject"), [("SMS", None), ("LMS", "배송 안내"), ("MMS", "배송 안내")]
)
def test_only_an_sms_goes_without_its_subject(kind: str, subject: str | None) -> None:
    row = _row(1, "01012345678", name="김철수", order="A-1")
    request = build_request(_campaign(), SimpleNamespace(id=1, message_type=kind), [row]).request
    assert request is not None and request.subject == subject


def test_a_row_that_cannot_be_rendered_is_reported_and_the_others_still_go() -> None:
    rows = [
        _row(1, "01012345678", name="김철수"),
        _row(2, "01087654321", name="이영희", order="B-2"),
    ]
    rendered = build_request(_campaign(), SimpleNamespace(id=1, message_type="SMS"), rows)
    assert rendered.failures == {1: "no value for template variable 'order'"}
    assert rendered.request is not None
    assert [m.to for m in rendered.request.messages] == ["01087654321"]
    alone = build_request(_campaign(), SimpleNamespace(id=1, message_type="SMS"), rows[:1])
    assert alone.request is None and set(alone.failures) == {1}
