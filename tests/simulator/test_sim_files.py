"""POST .../files: JPEG checks, reuse by name and size, 6-day expiry, MMS sends naming files."""

import base64
import io
import random
from datetime import datetime, timedelta

import pytest
from PIL import Image

SIX_DAYS = 6 * 86400
TIME = "%Y-%m-%d %H:%M:%S"  # the SENS simulator's list/get time format


def jpeg(width: int, height: int, noise: bool = False) -> bytes:
    """A real JPEG: plain grey, or random pixels at quality 100 (large)."""
    if noise:
        pixels = random.Random(7).randbytes(width * height * 3)
        image = Image.frombytes("RGB", (width, height), pixels)
    else:
        image = Image.new("RGB", (width, height), (120, 120, 120))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=100 if noise else 75)
    return out.getvalue()


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height)).save(out, "PNG")
    return out.getvalue()


def upload(sens, image: bytes, name: str = "photo.jpg"):
    body = {"fileName": name, "fileBody": base64.b64encode(image).decode()}
    return sens.call("POST", sens.uri("/files"), body)


def mms_body(sms_body, *file_ids: str):
    return sms_body(
        "01012345678", type="MMS", subject="hi", files=[{"fileId": f} for f in file_ids]
    )


def _refused(answer, message: str) -> None:
    assert answer.status_code == 400
    assert answer.json() == {"statusCode": "400", "statusName": "fail", "errorMessage": message}


def test_upload_answers_file_id_and_times_and_an_mms_names_it(sens, sms_body):
    answer = upload(sens, jpeg(640, 480))
    assert answer.status_code == 200
    uploaded = answer.json()
    assert set(uploaded) == {"fileId", "createTime", "expireTime"}
    created, expires = (datetime.strptime(uploaded[k], TIME) for k in ("createTime", "expireTime"))
    assert expires - created == timedelta(days=6)  # seed 003: stored for 6 days
    sent = sens.send(mms_body(sms_body, uploaded["fileId"]))
    assert sent.status_code == 202, sent.text
    (listed,) = sens.list(requestId=sent.json()["requestId"]).json()["messages"]
    assert listed["type"] == "MMS"
    files = sens.get(listed["messageId"]).json()["messages"][0]["files"]
    assert [f["fileId"] for f in files] == [uploaded["fileId"]]
    stats = sens.stats()
    assert (stats["files_uploaded"], stats["files_reused"], stats["mms_requests"]) == (1, 0, 1)


def test_same_name_and_size_is_reused_while_live(sens):
    image = jpeg(100, 100)
    first = upload(sens, image).json()
    again = upload(sens, image).json()
    assert again == first  # same fileId, original createTime and expireTime
    other_name = upload(sens, image, name="other.JPEG").json()
    other_size = upload(sens, jpeg(200, 100)).json()
    assert len({first["fileId"], other_name["fileId"], other_size["fileId"]}) == 3
    stats = sens.stats()
    assert (stats["files_uploaded"], stats["files_reused"]) == (3, 1)


def test_after_six_days_the_file_expires_and_a_new_upload_gets_a_new_id(sens, sms_body):
    image = jpeg(100, 100)
    file_id = upload(sens, image).json()["fileId"]
    advanced = sens.control("POST", "/_sim/clock", {"advance_seconds": SIX_DAYS + 1})
    assert advanced.status_code == 200
    _refused(
        sens.send(mms_body(sms_body, file_id)),
        f"files[0].fileId {file_id!r} is unknown or expired",
    )
    fresh = upload(sens, image).json()["fileId"]
    assert fresh != file_id
    assert sens.send(mms_body(sms_body, fresh)).status_code == 202
    stats = sens.stats()
    assert (stats["files_uploaded"], stats["files_reused"]) == (2, 0)


def test_unknown_file_id_is_refused(sens, sms_body):
    _refused(sens.send(mms_body(sms_body, "nope")), "files[0].fileId 'nope' is unknown or expired")
    assert sens.stats()["requests_accepted"] == 0


def test_at_most_one_file_per_mms(sens, sms_body):
    file_id = upload(sens, jpeg(10, 10)).json()["fileId"]
    answer = sens.send(mms_body(sms_body, file_id, file_id))
    _refused(answer, "files has 2 entries; at most 1 allowed")


def test_mms_without_files_is_still_sent_as_lms(sens, sms_body):
    answer = sens.send(mms_body(sms_body))
    listed = sens.list(requestId=answer.json()["requestId"]).json()["messages"]
    assert listed[0]["type"] == "LMS"  # seed 003: MMS without a file is sent as LMS
    assert sens.stats()["mms_requests"] == 0


BAD_UPLOADS = {
    "resolution": (lambda: (jpeg(2000, 2000), "a.jpg"), "image is 2000x2000; at most 1500x1440"),
    "too tall": (lambda: (jpeg(100, 1441), "a.jpg"), "image is 100x1441; at most 1500x1440"),
    "over 300 KB": (lambda: (jpeg(600, 600, noise=True), "a.jpg"), "bytes; at most 307200"),
    "png body": (lambda: (png(10, 10), "a.jpg"), "fileBody is not a JPEG image"),
    "png name": (lambda: (jpeg(10, 10), "a.png"), "fileName must end in .jpg or .jpeg"),
    "no extension": (lambda: (jpeg(10, 10), "photo"), "fileName must end in .jpg or .jpeg"),
    "name over 40": (lambda: (jpeg(10, 10), "a" * 37 + ".jpg"), "fileName is 41 characters"),
}


@pytest.mark.parametrize("case", BAD_UPLOADS.values(), ids=BAD_UPLOADS.keys())
def test_bad_uploads_are_400_naming_the_problem(sens, case):
    make, expected = case
    image, name = make()
    answer = upload(sens, image, name)
    assert answer.status_code == 400
    body = answer.json()
    assert (body["statusCode"], body["statusName"]) == ("400", "fail")
    assert expected in body["errorMessage"]
    assert sens.stats()["files_uploaded"] == 0


def test_over_300_kb_names_the_byte_count(sens):
    image = jpeg(600, 600, noise=True)
    assert len(image) > 300 * 1024
    _refused(upload(sens, image), f"fileBody is {len(image)} bytes; at most 307200")


def test_body_that_is_not_base64_is_400(sens):
    answer = sens.call("POST", sens.uri("/files"), {"fileName": "a.jpg", "fileBody": "not b64!"})
    _refused(answer, "fileBody is not valid Base64")


def test_unsigned_upload_is_401(sens):
    body = {"fileName": "a.jpg", "fileBody": base64.b64encode(jpeg(10, 10)).decode()}
    answer = sens.raw("POST", sens.uri("/files"), {}, body)
    assert answer.status_code == 401
    assert answer.json()["error"]["errorCode"] == "200"
    assert sens.stats()["files_uploaded"] == 0


def test_reset_forgets_files(sens, sms_body):
    file_id = upload(sens, jpeg(10, 10)).json()["fileId"]
    sens.control("POST", "/_sim/reset")
    assert sens.stats()["files_uploaded"] == 0
    _refused(
        sens.send(mms_body(sms_body, file_id)),
        f"files[0].fileId {file_id!r} is unknown or expired",
    )
