"""attachfile/binaryUpload: the checks, the JPEG size read from its SOF, MMS with files, expiry."""

import base64

import pytest
from conftest import result_code

from simulator.nhn.jpeg import jpeg_size

DAY = 86400


def jpeg(width: int, height: int, padding: int = 0, marker: int = 0xC0) -> bytes:
    """A minimal JPEG: SOI, an APP0, a frame header of `width` x `height`, SOS, data, EOI."""
    app0 = b"\xff\xe0" + (16).to_bytes(2, "big") + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    frame = bytes([0xFF, marker]) + (17).to_bytes(2, "big") + b"\x08"
    frame += height.to_bytes(2, "big") + width.to_bytes(2, "big") + b"\x03" + b"\x01\x22\x00" * 3
    scan = b"\xff\xda" + (12).to_bytes(2, "big") + b"\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00"
    return b"\xff\xd8" + app0 + b"\xff\xff" + frame + scan + b"\x55" * padding + b"\xff\xd9"


def upload(nhn, data: bytes, name: str = "photo.jpg", **extra):
    body = {"fileName": name, "createUser": "tester", "fileBody": base64.b64encode(data).decode()}
    body.update(extra)
    return nhn.call("POST", "/attachfile/binaryUpload", body)


def test_jpeg_size_reads_baseline_and_progressive_frames():
    assert jpeg_size(jpeg(640, 480)) == (640, 480)
    assert jpeg_size(jpeg(1000, 20, marker=0xC2)) == (1000, 20)
    assert jpeg_size(b"\x89PNG\r\n\x1a\n") is None
    assert jpeg_size(b"\xff\xd8\xff\xda\x00\x02") is None  # scan before any frame
    assert jpeg_size(jpeg(10, 10)[:30]) is None


def test_upload_answers_a_file_id_and_path(nhn):
    answer = upload(nhn, jpeg(800, 600, padding=1000))
    assert answer.json()["header"]["isSuccessful"]
    data = answer.json()["body"]["data"]
    assert isinstance(data["fileId"], int) and data["fileName"] == "photo.jpg"
    assert data["filePath"].endswith(f"/{data['fileId']}") and "toast-mt-" in data["filePath"]
    second = upload(nhn, jpeg(10, 10), name="b.JPEG").json()["body"]["data"]
    assert second["fileId"] == data["fileId"] + 1


REFUSED = {
    "png extension": (lambda n: upload(n, jpeg(10, 10), name="a.png"), -2003),
    "not a jpeg": (lambda n: upload(n, b"GIF89a" + b"\0" * 100), -2003),
    "empty file": (lambda n: upload(n, b""), -2005),
    "300 KB": (lambda n: upload(n, jpeg(10, 10, padding=300 * 1024)), -2005),
    "too wide": (lambda n: upload(n, jpeg(1001, 10)), 4),
    "too tall": (lambda n: upload(n, jpeg(10, 1200)), 4),
    "name over 45": (lambda n: upload(n, jpeg(10, 10), name="a" * 42 + ".jpg"), -2002),
    "no name": (lambda n: upload(n, jpeg(10, 10), name=""), -2002),
    "no createUser": (lambda n: upload(n, jpeg(10, 10), createUser=""), 4),
    "bad base64": (lambda n: upload(n, jpeg(10, 10), fileBody="not base64!"), 4),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_bad_uploads_are_refused(nhn, case):
    call, code = REFUSED[case]
    assert result_code(call(nhn)) == code


def test_file_body_as_a_byte_list_is_accepted(nhn):
    raw = [b - 256 if b > 127 else b for b in jpeg(5, 5)]  # Java bytes are signed
    answer = nhn.call(
        "POST",
        "/attachfile/binaryUpload",
        {"fileName": "x.jpg", "createUser": "u", "fileBody": raw},
    )
    assert answer.json()["header"]["isSuccessful"]


def test_mms_with_files(nhn, body):
    ids = [upload(nhn, jpeg(100, 100)).json()["body"]["data"]["fileId"] for _ in range(4)]
    sent = body("01012345678", title="사진", attachFileIdList=ids[:3])
    request_id = nhn.accepted(sent, "mms")["requestId"]
    (message,) = nhn.listed(request_id, "mms")
    assert message["messageType"] == "MMS"
    assert [f["fileId"] for f in message["attachFileList"]] == ids[:3]
    assert result_code(nhn.send({**sent, "attachFileIdList": ids}, "mms")) == 4
    assert result_code(nhn.send({**sent, "attachFileIdList": [999]}, "mms")) == -2004
    assert result_code(nhn.send({**sent, "attachFileIdList": ["x"]}, "mms")) == 4


def test_files_expire(nhn, body):
    file_id = upload(nhn, jpeg(100, 100)).json()["body"]["data"]["fileId"]
    sent = body("01012345678", title="사진", attachFileIdList=[file_id])
    nhn.advance(6 * DAY - 60)
    assert nhn.send(sent, "mms").json()["header"]["isSuccessful"]
    nhn.advance(120)
    assert result_code(nhn.send(sent, "mms")) == -2004
