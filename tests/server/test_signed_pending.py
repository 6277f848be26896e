"""``X-Kiosk-Pending`` is recorded only when signature version 2 signs it (issue 10, repro 10):
a replay with another figure cannot rewrite the backlog staff see."""

from __future__ import annotations

import random

from fastapi.testclient import TestClient
from sqlalchemy import select

from sync.client import SyncClient
from sync.server.db.tables import kiosks
from sync.signed_pending import PENDING_SIGNATURE_HEADER, parse_pending, pending_signature
from tests.sync.outbox import make_record

PATH = "/api/v1/batches"


def _reported(engine, kiosk_id: str):
    with engine.connect() as conn:
        return conn.execute(
            select(kiosks.c.reported_pending).where(kiosks.c.id == kiosk_id)
        ).scalar_one()


def test_unsigned_pending_is_ignored_and_a_changed_one_is_refused(
    client, kiosk, make_batch, signed, engine
):
    _, body = make_batch(kiosk.kiosk_id)
    v1 = signed(kiosk, "POST", PATH, body) | {"Content-Type": "application/json"}
    response = client.post(PATH, content=body, headers=v1 | {"X-Kiosk-Pending": "12"})
    assert response.status_code == 201, response.text
    assert _reported(engine, kiosk.kiosk_id) is None  # unsigned: not believed

    v2 = v1 | {
        "X-Kiosk-Pending": "12",
        PENDING_SIGNATURE_HEADER: pending_signature(
            kiosk.secret, "POST", PATH, v1["X-Kiosk-Timestamp"], body, 12
        ),
    }
    assert client.post(PATH, content=body, headers=v2).is_success  # a resend
    assert _reported(engine, kiosk.kiosk_id) == 12

    # The same request replayed with another figure: refused, the figure stays.
    replay = client.post(PATH, content=body, headers=v2 | {"X-Kiosk-Pending": "99000"})
    assert replay.status_code == 401
    assert "X-Kiosk-Signature-V2" in replay.json()["error"]
    stripped = {k: v for k, v in v2.items() if k != PENDING_SIGNATURE_HEADER}
    assert client.post(PATH, content=body, headers=stripped | {"X-Kiosk-Pending": "7"}).is_success
    assert _reported(engine, kiosk.kiosk_id) == 12


def test_the_kiosk_client_signs_its_pending_count(client, kiosk, engine, tmp_path):
    from kiosk.store import LocalStore

    store = LocalStore(tmp_path / "kiosk")
    rng = random.Random(1)
    for _ in range(3):
        store.save(make_record(kiosk.kiosk_id, rng, kind="rating"))
    assert isinstance(client, TestClient)
    sync = SyncClient(
        store, "http://testserver", kiosk.kiosk_id, kiosk.secret, transport=client._transport
    )
    try:
        assert sync.pull_config() is not None
        assert _reported(engine, kiosk.kiosk_id) == 3
    finally:
        sync.close()
        store.close()


def test_parse_pending_is_strict():
    assert parse_pending("12") == 12
    assert parse_pending(" 12 ") == 12
    for bad in (None, "", "²", "-1", "1.0", "9" * 11, "١٢"):
        assert parse_pending(bad) is None
    assert parse_pending("9999999999") == 2**31 - 1
