"""`{name}` templates: the placeholders they use and rendering with per-recipient values."""

import pytest

from worker.domain.template import TemplateError, render, variables


def test_variables() -> None:
    assert variables("안녕하세요 {name}님, 주문 {order_id} 배송 시작") == {"name", "order_id"}
    assert variables("{이름}님 {금액}원 {이름}") == {"이름", "금액"}
    assert variables("no placeholders") == set()
    assert variables("") == set()


def test_variables_ignore_what_is_not_a_placeholder() -> None:
    assert variables("{} {a b} {a-b} {{x}") == {"x"}
    assert variables("{a.b} {1} {_x}") == {"1", "_x"}


def test_render() -> None:
    assert render("Hi {name}, code {code}.", {"name": "Kim", "code": "42"}) == "Hi Kim, code 42."


def test_render_korean_names_and_values() -> None:
    result = render("{이름}님, {금액}원이 결제되었습니다.", {"이름": "홍길동", "금액": "12,000"})
    assert result == "홍길동님, 12,000원이 결제되었습니다."


def test_render_repeated_placeholder_and_extra_values() -> None:
    assert render("{a}{a}-{b}", {"a": "x", "b": "y", "unused": "z"}) == "xx-y"


def test_render_without_placeholders_returns_the_text() -> None:
    assert render("plain text {", {}) == "plain text {"


def test_render_does_not_expand_values() -> None:
    assert render("{a}", {"a": "{b}", "b": "no"}) == "{b}"


@pytest.mark.parametrize(
    ("template", "values", "missing"),
    [
        ("Hi {name}", {}, "name"),
        ("Hi {name}", {"name": ""}, "name"),
        ("{a} {b}", {"a": "ok"}, "b"),
        ("{이름}님", {"name": "Kim"}, "이름"),
        ("{이름}님", {"이름": ""}, "이름"),
    ],
)
def test_missing_or_empty_value_names_the_variable(
    template: str, values: dict[str, str], missing: str
) -> None:
    with pytest.raises(TemplateError) as info:
        render(template, values)
    assert repr(missing) in str(info.value)


def test_first_missing_variable_is_named() -> None:
    with pytest.raises(TemplateError, match="'first'"):
        render("{first} {second}", {})


def test_template_error_is_a_value_error() -> None:
    assert issubclass(TemplateError, ValueError)
