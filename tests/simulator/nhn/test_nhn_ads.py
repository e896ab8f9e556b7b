"""Ad endpoints: the (광고) prefix, the free opt-out last line, and opted-out recipients (-6001)."""

import pytest
from conftest import result_code

GOOD_BODIES = [
    "(광고) 봄 세일\n[무료 수신거부]0801234567",
    "(광고)\n\n무료거부 0801234567",
    "(광고) 세일\n무료거부 080-123-4567",
    "(광고) 테스트\n [무료 수신 거부]0808880327",
    "(광고) 세일\n무료수신거부 080-1234-5678  ",
    "(광고) 세일 안내\n문의 1588-0000, 무료수신거부0801234567",
]
BAD_OPT_OUTS = [
    "(광고) 세일",
    "(광고) 세일\n수신거부 0801234567",
    "(광고) 세일\n무료수신거부 0212345678",
    "(광고) 무료거부 0801234567\n마지막 줄은 다른 내용",
]


@pytest.mark.parametrize("text", GOOD_BODIES)
def test_ad_bodies_with_the_required_wording_are_accepted(nhn, body, text):
    assert nhn.send(body("01012345678", body=text), "ad-sms").json()["header"]["isSuccessful"]


@pytest.mark.parametrize("text", BAD_OPT_OUTS)
def test_ad_without_the_opt_out_line_is_minus_6003(nhn, body, text):
    assert result_code(nhn.send(body("01012345678", body=text), "ad-sms")) == -6003


def test_ad_without_the_prefix_is_refused_naming_the_rule(nhn, body):
    answer = nhn.send(body("01012345678", body="세일\n무료거부 0801234567"), "ad-sms")
    header = answer.json()["header"]
    assert header["resultCode"] == 4 and "(광고)" in header["resultMessage"]
    mms = nhn.send(body("01012345678", body="세일\n무료거부 0801234567", title="t"), "ad-mms")
    assert result_code(mms) == 4


def test_opted_out_recipients_are_refused_on_ad_sends_only(nhn, body):
    registered = nhn.call(
        "POST",
        "/blockservice/recipients",
        {"unsubscribeNo": "0801234567", "recipientNoList": ["01022223333"]},
    )
    assert registered.json() == {
        "header": {"isSuccessful": True, "resultCode": 0, "resultMessage": "SUCCESS"}
    }
    ad = body("01011112222", "01022223333", body="(광고) 세일\n무료거부 0801234567")
    data = nhn.accepted(ad, "ad-sms")
    assert [(r["resultCode"], r["resultMessage"]) for r in data["sendResultList"]] == [
        (0, "SUCCESS"),
        (-6001, "Recipient Number is refused."),
    ]
    listed = nhn.listed(data["requestId"])
    assert [(m["recipientNo"], m["adYn"]) for m in listed] == [("01011112222", "Y")]
    plain = nhn.accepted(body("01022223333"))
    assert plain["sendResultList"][0]["resultCode"] == 0
    long_ad = body("01022223333", body="(광고) 세일\n무료거부 0801234567", title="t")
    assert nhn.accepted(long_ad, "ad-mms")["sendResultList"][0]["resultCode"] == -6001
