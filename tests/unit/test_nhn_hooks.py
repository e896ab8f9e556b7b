"""NHN webhook bodies (webhook.md): which envelopes are refused and why, the results a
MESSAGE_RESULT_UPDATE carries, and the numbers an UNSUBSCRIBE reports."""

from datetime import UTC, datetime

import pytest

from worker.providers.nhn import hooks

HOOK = {"requestId": "R-1", "recipientSeq": 3, "recipientNo": "01012345678",
        "messageStatus": "COMPLETED", "resultCode": "1000",
        "requestDate": "2026-03-02 18:00:00", "receiveDate": "2026-03-02 18:00:05.120"}  # fmt: skip


def _body(event: str = hooks.RESULT_EVENT, *items: dict) -> dict:
    return {"event": event, "hooks": list(items) or [HOOK]}


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"hooks": [HOOK]}, "'event' is missing or not a string"),
        ({"event": 7, "hooks": [HOOK]}, "'event' is missing or not a string"),
        ({"event": hooks.RESULT_EVENT}, "'hooks' must be a list of objects"),
        ({"event": hooks.RESULT_EVENT, "hooks": {"a": 1}}, "'hooks' must be a list of objects"),
        ({"event": hooks.RESULT_EVENT, "hooks": [HOOK, "x"]}, "'hooks' must be a list of objects"),
        (_body(hooks.RESULT_EVENT, HOOK, {"requestId": "R", "messageStatus": "FAILED"}),
         "hooks[1] lacks recipientNo"),
        (_body(hooks.RESULT_EVENT, {"recipientNo": "010"}),
         "hooks[0] lacks requestId, messageStatus"),
    ],
)  # fmt: skip
def test_a_body_that_is_not_an_envelope_is_named(body: dict, problem: str) -> None:
    assert hooks.problem(body) == problem


def test_envelopes_of_both_events_pass() -> None:
    assert hooks.problem(_body()) is None
    assert hooks.problem(_body(hooks.UNSUBSCRIBE_EVENT, {"recipientNo": "010"})) is None


def test_a_final_hook_is_a_result_with_its_code_and_times() -> None:
    [result] = hooks.results(_body())
    assert (result.request_id, result.message_id, result.to) == ("R-1", "3", "01012345678")
    assert (result.status, result.code, result.family) == ("COMPLETED", "1000", "reception")
    assert result.complete_time == datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)  # to the second
    assert result.request_time == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_hook_with_empty_ids_keeps_them_empty() -> None:
    [result] = hooks.results(_body(hooks.RESULT_EVENT, {**HOOK, "requestId": None,
                                                        "recipientSeq": None}))  # fmt: skip
    assert (result.request_id, result.message_id) == ("", "")


@pytest.mark.parametrize("change", [{"messageStatus": "SENDING"}, {"resultCode": ""},
                                    {"resultCode": None}, {"messageStatus": "CANCEL"}])  # fmt: skip
def test_a_hook_not_yet_final_carries_no_code(change: dict) -> None:
    [result] = hooks.results(_body(hooks.RESULT_EVENT, {**HOOK, **change}))
    assert result.code is None


def test_a_grouping_key_names_our_number_and_abroad_gets_its_country() -> None:
    keyed = {**HOOK, "recipientGroupingKey": "+447911123456"}
    abroad = {**HOOK, "recipientNo": "07911123456", "countryCode": "44"}
    found = hooks.results(_body(hooks.RESULT_EVENT, keyed, abroad, "not a hook"))  # type: ignore[arg-type]
    assert [r.to for r in found] == ["+447911123456", "+447911123456"]


def test_results_and_opt_outs_come_only_from_their_own_event() -> None:
    unsubscribed = _body(hooks.UNSUBSCRIBE_EVENT, {"recipientNo": "0801"}, {"recipientNo": ""},
                         {"recipientNo": "0802"})  # fmt: skip
    assert hooks.opted_out(unsubscribed) == ["0801", "0802"]
    assert hooks.results(unsubscribed) == []
    assert hooks.opted_out(_body()) == []
