"""The 080 call-block endpoints: register, page through, filter, delete, validation."""


def _unsubscribes(sens, method, body=None, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return sens.call(method, sens.uri("/unsubscribes") + (f"?{query}" if query else ""), body)


def test_register_list_page_filter_and_delete(sens):
    numbers = [f"0105{i:07d}" for i in range(120)]
    registered = _unsubscribes(sens, "POST", [{"clientTelNo": n} for n in numbers])
    assert registered.status_code == 200
    assert registered.json()[0]["clientTelNo"] == numbers[0]
    assert registered.json()[0]["registerType"] == "M"
    first = _unsubscribes(sens, "GET", pageSize=100, pageIndex=0).json()
    second = _unsubscribes(sens, "GET", pageSize=100, pageIndex=1).json()
    assert [e["clientTelNo"] for e in first + second] == numbers
    one = _unsubscribes(sens, "GET", clientTelNo=numbers[7]).json()
    assert [e["clientTelNo"] for e in one] == [numbers[7]]
    assert _unsubscribes(sens, "DELETE", [{"clientTelNo": numbers[7]}]).status_code == 204
    assert _unsubscribes(sens, "GET", clientTelNo=numbers[7]).json() == []


def test_bad_bodies_and_page_sizes_are_refused(sens):
    too_many = [{"clientTelNo": "01012345678"}] * 1001
    assert "at most 1000" in _unsubscribes(sens, "POST", too_many).json()["errorMessage"]
    bad = _unsubscribes(sens, "POST", [{"clientTelNo": "010-1234"}]).json()["errorMessage"]
    assert bad == "[0].clientTelNo must be digits only"
    assert _unsubscribes(sens, "GET", pageSize=101).status_code == 400
