"""080 opt-outs: register, query with filters and paging, delete."""

from conftest import kst, result_code


def _register(nhn, unsubscribe_no, numbers):
    body = {"unsubscribeNo": unsubscribe_no, "recipientNoList": numbers}
    return nhn.call("POST", "/blockservice/recipients", body)


def _query(nhn, **params):
    return nhn.call("GET", "/blockservice/recipients", params=params).json()


def test_register_query_page_and_delete(nhn):
    numbers = [f"0105{i:07d}" for i in range(20)]
    assert _register(nhn, "0801234567", numbers).json()["header"]["isSuccessful"]
    assert _register(nhn, "080-999-8888", numbers[:2]).json()["header"]["isSuccessful"]
    first = _query(nhn)["body"]
    assert (first["pageNum"], first["pageSize"], first["totalCount"]) == (1, 15, 22)
    assert len(first["data"]) == 15
    assert first["data"][0] == {
        "unsubscribeNo": "0801234567",
        "recipientNo": numbers[0],
        "requestDate": first["data"][0]["requestDate"],
    }
    assert first["data"][0]["requestDate"].endswith(".0")
    second = _query(nhn, pageNum=2)["body"]["data"]
    assert len(second) == 7
    only = _query(nhn, unsubscribeNo="0809998888")["body"]
    assert [e["recipientNo"] for e in only["data"]] == numbers[:2]
    one = _query(nhn, recipientNo=numbers[1])["body"]["data"]
    assert {e["unsubscribeNo"] for e in one} == {"0801234567", "0809998888"}
    now = nhn.sim_now()
    window = {"startRequestDate": kst(now - 60), "endRequestDate": kst(now + 60)}
    assert _query(nhn, **window)["body"]["totalCount"] == 22
    removed = nhn.call(
        "DELETE",
        "/blockservice/recipients/removes",
        params={
            "unsubscribeNo": "0801234567",
            "updateUser": "tester",
            "recipientNoList": f"{numbers[0]},{numbers[1]}",
        },
    )
    assert removed.json() == {
        "header": {"isSuccessful": True, "resultCode": 0, "resultMessage": "SUCCESS"},
        "body": None,
    }
    assert _query(nhn)["body"]["totalCount"] == 20


def test_bad_opt_out_calls_are_refused(nhn):
    assert result_code(_register(nhn, "0212345678", ["01012345678"])) == -6004
    assert result_code(_register(nhn, "0801234567", [])) == 4
    assert result_code(_register(nhn, "0801234567", ["010-1234-5678"])) == 4
    no_user = nhn.call(
        "DELETE",
        "/blockservice/recipients/removes",
        params={"unsubscribeNo": "0801234567", "recipientNoList": "01012345678"},
    )
    assert result_code(no_user) == 4
    assert result_code(nhn.call("GET", "/blockservice/recipients", params={"pageSize": 1001})) == 4
