"""Kiosk request signatures: every way to get one wrong is a 401 with a JSON error and Date."""

from __future__ import annotations

import time

import pytest

from sync.protocol import sign_request
from sync.server.db.tables import records

PATH = "/api/v1/batches"


def _assert_401(response, words: str) -> None:
    assert response.status_code == 401, response.text
    assert words in response.json()["error"]
    assert response.headers["Date"].endswith("GMT")


@pytest.mark.parametrize("header", ["X-Kiosk-Id", "X-Kiosk-Timestamp", "X-Kiosk-Signature"])
def test_missing_header(client, kiosk, make_batch, signed, header, count):
    _, body = make_batch(kiosk.kiosk_id)
    headers = signed(kiosk, "POST", PATH, body)
    del headers[header]
    _assert_401(client.post(PATH, content=body, headers=headers), header)
    assert count(records) == 0


def test_unknown_kiosk(client, kiosk, make_batch, signed):
    _, body = make_batch(kiosk.kiosk_id)
    headers = signed(kiosk, "POST", PATH, body) | {"X-Kiosk-Id": "nobody"}
    _assert_401(client.post(PATH, content=body, headers=headers), "unknown kiosk")


def test_wrong_secret(client, kiosk, other_kiosk, make_batch):
    _, body = make_batch(kiosk.kiosk_id)
    ts = int(time.time())
    headers = {
        "X-Kiosk-Id": kiosk.kiosk_id,
        "X-Kiosk-Timestamp": str(ts),
        "X-Kiosk-Signature": sign_request(other_kiosk.secret, "POST", PATH, ts, body),
    }
    _assert_401(client.post(PATH, content=body, headers=headers), "does not match")


def test_body_changed_after_signing(client, kiosk, make_batch, signed, count):
    _, body = make_batch(kiosk.kiosk_id)
    headers = signed(kiosk, "POST", PATH, body)
    tampered = body.replace(b'"rating":3', b'"rating":1')
    assert tampered != body
    _assert_401(client.post(PATH, content=tampered, headers=headers), "does not match")
    assert count(records) == 0


def test_signed_for_another_path_or_method(client, kiosk, make_batch, signed):
    _, body = make_batch(kiosk.kiosk_id)
    other_path = signed(kiosk, "POST", "/api/v1/kiosk-config", body)
    _assert_401(client.post(PATH, content=body, headers=other_path), "does not match")
    other_method = signed(kiosk, "PUT", PATH, body)
    _assert_401(client.post(PATH, content=body, headers=other_method), "does not match")


def test_uppercase_signature_is_accepted(client, kiosk, make_batch, signed):
    _, body = make_batch(kiosk.kiosk_id)
    headers = signed(kiosk, "POST", PATH, body)
    headers["X-Kiosk-Signature"] = headers["X-Kiosk-Signature"].upper()
    assert client.post(PATH, content=body, headers=headers).status_code == 201


def test_timestamp_not_a_number(client, kiosk, make_batch, signed):
    _, body = make_batch(kiosk.kiosk_id)
    headers = signed(kiosk, "POST", PATH, body) | {"X-Kiosk-Timestamp": "yesterday"}
    _assert_401(client.post(PATH, content=body, headers=headers), "Unix seconds")


# 10 s past the 300 s window each way: the header carries whole seconds (int() drops up to 1 s)
# and the server reads its clock later than the test did, so "ahead by 301" could land inside.
@pytest.mark.parametrize("offset,words", [(-310, "behind"), (310, "ahead of")])
def test_stale_or_future_timestamp(client, kiosk, make_batch, signed, offset, words, count):
    _, body = make_batch(kiosk.kiosk_id)
    headers = signed(kiosk, "POST", PATH, body, timestamp=int(time.time()) + offset)
    response = client.post(PATH, content=body, headers=headers)
    _assert_401(response, words)
    assert "Date header" in response.json()["error"]
    assert count(records) == 0


def test_timestamp_just_inside_the_window(client, kiosk, make_batch, signed):
    _, body = make_batch(kiosk.kiosk_id)
    headers = signed(kiosk, "POST", PATH, body, timestamp=int(time.time()) - 290)
    assert client.post(PATH, content=body, headers=headers).status_code == 201


def test_kiosk_config_needs_a_signature_too(client, kiosk, signed):
    _assert_401(client.get("/api/v1/kiosk-config"), "missing")
    headers = signed(kiosk, "GET", "/api/v1/kiosk-config")
    assert client.get("/api/v1/kiosk-config", headers=headers).status_code == 200
