"""The lost-answer fault on the SENS simulator: accepted and recorded, answered too late."""

import time

import pytest
import requests

from simulator.__main__ import build_parser, config_from_args


def test_a_lost_answer_times_out_but_the_send_is_accepted(sens, sms_body):
    sens.faults(lost_rate=1.0, lost_seconds=0.6)
    uri = sens.uri("/messages")
    with pytest.raises(requests.exceptions.ReadTimeout):
        sens.http.post(
            sens.base_url + uri,
            json=sms_body("01012345678"),
            headers=sens.signed_headers("POST", uri),
            timeout=0.2,
        )
    stats = sens.stats()
    assert (stats["requests_accepted"], stats["messages_accepted"]) == (1, 1)
    assert stats["lost_answers"] == 1 and stats["sent_to"] == {"01012345678": 1}
    started = time.monotonic()
    late = sens.send(sms_body("01087654321"))
    assert time.monotonic() - started >= 0.6
    assert late.status_code == 202
    listed = sens.list(requestId=late.json()["requestId"]).json()["messages"]
    assert [m["to"] for m in listed] == ["01087654321"]


def test_refused_sends_and_other_calls_are_never_lost(sens, sms_body):
    sens.faults(lost_rate=1.0, lost_seconds=5)
    started = time.monotonic()
    assert sens.send(sms_body()).status_code == 400
    assert sens.list(requestId="RSSA-0").status_code == 404
    assert time.monotonic() - started < 2
    assert sens.stats()["lost_answers"] == 0


def test_lost_answers_are_command_line_flags():
    args = build_parser().parse_args(["sens", "--lost-rate", "0.1", "--lost-seconds", "45"])
    faults = config_from_args(args).faults
    assert (faults.lost_rate, faults.lost_seconds) == (0.1, 45.0)
    with pytest.raises(ValueError, match="lost_rate must be in"):
        config_from_args(build_parser().parse_args(["--lost-rate", "2"]))
