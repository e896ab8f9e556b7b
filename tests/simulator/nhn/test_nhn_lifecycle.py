"""Asynchronous results: 1 → 2 → 3/0 with reproducible codes, telecoms, DLRs, faults on outcomes."""

import time
from collections import Counter

from conftest import SEED

from simulator.nhn.outcomes import code_for, dlr_for, result_for, telecom_for
from simulator.outcomes import code_for as sens_code_for
from worker.domain.codes import Outcome, lookup

NUMBERS = [f"010{i:08d}" for i in range(10, 40)]  # hold 1000, 1001, 2005 and 3001


def test_nhn_codes_follow_the_sens_classes():
    numbers = [f"010{i:08d}" for i in range(10_000)]
    for number in numbers[:2000]:
        sens = sens_code_for(SEED, number)
        assert code_for(SEED, number) == ("1000" if sens == "0" else sens)
    codes = Counter(code_for(SEED, n) for n in numbers)
    assert 0.82 < codes["1000"] / len(numbers) < 0.88
    assert set(codes) == {"1000", "2003", "2005", "2000", "1001", "3001", "3003", "3012"}
    classes = {lookup("nhn", code, "reception").outcome for code in codes}
    assert classes == {Outcome.DELIVERED, Outcome.RETRYABLE, Outcome.FAILED}
    assert all(lookup("nhn", code, "reception").family == "reception" for code in codes)


def test_result_for_gives_code_and_msg_status_and_recovers():
    transient = next(n for n in NUMBERS if code_for(SEED, n) in {"2003", "2005", "1001", "2000"})
    first = result_for(SEED, transient)
    assert first.msg_status == "0" and first.code != "1000"
    assert result_for(SEED, transient, attempt=1, recover_after=1).code == "1000"
    assert result_for(SEED, transient, attempt=1, recover_after=1).msg_status == "3"
    assert result_for(SEED, transient, attempt=0, recover_after=1) == first


def test_messages_go_requesting_processing_then_complete_with_the_predicted_codes(nhn, body):
    nhn.faults(complete_delay=600.0)
    request_id = nhn.accepted(body(*NUMBERS))["requestId"]
    assert {m["msgStatus"] for m in nhn.listed(request_id)} == {"1"}
    early = nhn.listed(request_id)[0]
    assert (early["msgStatusName"], early["resultCode"], early["resultDate"]) == (
        "요청",
        None,
        None,
    )
    nhn.advance(500)  # 300-900 s after the send: some processing, some done
    assert {m["msgStatus"] for m in nhn.listed(request_id)} >= {"2"}
    nhn.advance(500)
    listed = nhn.listed(request_id)
    assert [m["resultCode"] for m in listed] == [code_for(SEED, n) for n in NUMBERS]
    assert {m["resultCode"] for m in listed} == {"1000", "1001", "2005", "3001"}
    for message in listed:
        success = message["resultCode"] == "1000"
        assert message["msgStatus"] == ("3" if success else "0")
        assert message["msgStatusName"] == ("성공" if success else "실패")
        assert message["resultCodeName"] == (
            "성공" if success else lookup("nhn", message["resultCode"], "reception").title
        )
        code, name = telecom_for(SEED, message["recipientNo"])
        assert (message["telecomCode"], message["telecomCodeName"]) == (code, name)
        assert message["resultDate"] >= message["requestDate"]
        assert message["dlr"] is None
    assert {m["telecomCode"] for m in listed} <= {10001, 10002, 10003}


def test_international_messages_carry_a_dlr(nhn, body):
    numbers = [f"41555{i:05d}" for i in range(40)]
    sent = body()
    sent["recipientList"] = [{"recipientNo": n, "countryCode": "1"} for n in numbers]
    request_id = nhn.accepted(sent)["requestId"]
    time.sleep(0.4)
    listed = nhn.listed(request_id)
    for message in listed:
        expected = dlr_for(SEED, message["recipientNo"], message["resultCode"])
        assert message["dlr"] == {
            "dlrStatus": expected.status,
            "networkCode": expected.network_code,
            "errorCode": expected.error_code,
        }
        assert message["telecomCode"] is None
    pairs = {(m["resultCode"], m["dlr"]["dlrStatus"], m["dlr"]["errorCode"]) for m in listed}
    assert ("1000", "DELIVERED", "0") in pairs
    assert all(status == "FAILED" for code, status, _ in pairs if code != "1000")
    assert {error for code, _, error in pairs if code in {"3001", "3003", "3012"}} <= {"3"}


def test_dlr_tables():
    assert dlr_for(1, "4155550123", "1000").status == "DELIVERED"
    assert dlr_for(1, "4155550123", "2003").error_code == "2"
    assert dlr_for(1, "4155550123", "1001").error_code == "7"
    assert dlr_for(1, "4155550123", "3001").error_code == "3"


def test_recover_after_turns_a_transient_number_into_success(nhn, body):
    nhn.faults(recover_after=1)
    number = next(f"0104{i:07d}" for i in range(10_000) if code_for(SEED, f"0104{i:07d}") == "2003")
    first = nhn.accepted(body(number))["requestId"]
    second = nhn.accepted(body(number))["requestId"]
    time.sleep(0.45)
    codes = [nhn.listed(rid)[0]["resultCode"] for rid in (first, second)]
    assert codes == ["2003", "1000"]


def test_pending_rate_keeps_messages_processing(nhn, body):
    nhn.faults(pending_rate=1.0)
    request_id = nhn.accepted(body("01012345678", "01087654321"))["requestId"]
    nhn.advance(3600)
    listed = nhn.listed(request_id)
    assert [m["msgStatus"] for m in listed] == ["2", "2"]
    assert all(m["resultCode"] is None for m in listed)


def test_refuse_rate_refuses_the_same_numbers_every_time(nhn, body):
    nhn.faults(refuse_rate=0.3)
    numbers = [f"0106{i:07d}" for i in range(200)]
    first = [r["resultCode"] for r in nhn.accepted(body(*numbers))["sendResultList"]]
    second = [r["resultCode"] for r in nhn.accepted(body(*numbers))["sendResultList"]]
    assert first == second and set(first) == {0, -2019}
    assert 0.2 < first.count(-2019) / len(first) < 0.4
    stats = nhn.stats()
    assert stats["refused_recipients"] == 2 * first.count(-2019)
    assert stats["messages_accepted"] == 2 * first.count(0)
    nhn.faults(seed=7)
    third = [r["resultCode"] for r in nhn.accepted(body(*numbers))["sendResultList"]]
    assert third != first
