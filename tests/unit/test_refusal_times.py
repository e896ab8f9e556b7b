"""/metrics counts the recipients refused inside an accepted request as the attempt rows with
no completion time (worker/db/metrics.py): every adapter's refusals in a send answer must
carry none."""

from tests.unit import test_apiplex_client as apiplex
from tests.unit import test_nhn_client as nhn


def test_nhn_refusals_in_the_send_answer_carry_no_completion_time() -> None:
    refused = {"recipientNo": "0101", "resultCode": -2019, "recipientSeq": 2,
               "resultMessage": "RecipientNo is invalid."}  # fmt: skip
    client, _ = nhn.make_client(nhn.accepted(nhn.ok_result("01000000000", 1), refused))
    receipt = client.send(nhn.request("01000000000", "01000001111"))
    assert [result.complete_time for result in receipt.refused] == [None]


def test_apiplex_refusals_in_the_send_answer_carry_no_completion_time() -> None:
    answer = apiplex.accepted(
        apiplex.pending("+821012345678"),
        {"messageId": "m2", "to": "+14155550123", "status": apiplex.status(2, 9, "UNDELIVERABLE")},
    )
    client, _ = apiplex.make_client(answer)
    receipt = client.send(apiplex.request("01012345678", "+14155550123"))
    assert [result.complete_time for result in receipt.refused] == [None]
