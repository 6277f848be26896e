"""USB import on the web (issue 12, item 7): a batch file uploaded on the Batches page goes
through the very checks of ``kiosk-server import-batch`` (one shared function), answers with one
sentence, and is written to the audit trail, refusals included."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from sqlalchemy import func, select

from sync.protocol import canonical_json, make_batch_file
from sync.server.db import audit
from sync.server.db.kiosks import disable_kiosk, enroll_kiosk
from sync.server.db.tables import batches, records
from sync.server.db.usb_import import USB_FILE_MAX_BYTES
from tests.staff.conftest import make_visit


def _file(kiosk, records_=None, *, secret=None, batch_id=None) -> bytes:
    body = canonical_json(
        {
            "batch_id": batch_id or str(uuid.uuid4()),
            "records": records_ if records_ is not None else make_visit(kiosk.kiosk_id),
        }
    )
    week_old = int(time.time()) - 7 * 24 * 3600  # sticks travel: no clock rule
    envelope = make_batch_file(kiosk.kiosk_id, secret or kiosk.secret, body, week_old)
    return json.dumps(envelope).encode()


def _upload(client, csrf: str, data: bytes | None, name: str = "kayttajatori-k-b.json"):
    files = {"file": (name, data, "application/json")} if data is not None else None
    return client.post(
        "/staff/batches/import?lang=en",
        data={"csrf": csrf},
        files=files or {"file": ("", b"", "application/octet-stream")},
    )


def _stored(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(records)).scalar_one()


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_a_batch_file_uploaded_on_the_batches_page_is_stored_once_and_audited(
    client, login, kiosk, engine
):
    csrf = login()
    page = client.get("/staff/batches?lang=en").text
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    data = _file(kiosk)
    first = _upload(client, csrf, data)
    assert first.status_code == 200
    assert "Batch imported: 2 new records, 0 already on the server." in first.text
    assert _stored(engine) == 2
    again = _upload(client, csrf, data)
    assert "imported before; nothing new was stored" in again.text
    assert _stored(engine) == 2
    with engine.connect() as conn:
        assert conn.execute(select(batches.c.source)).scalar_one() == "usb"
        [entry, _] = audit.entries(conn, audit.AuditFilter(action="usb_import"))
    assert entry["actor"] == "liisa" and entry["target"] == kiosk.kiosk_id
    assert entry["details"]["accepted"] == 2 and entry["details"]["replayed"] is True
    assert entry["details"]["file"] == "kayttajatori-k-b.json"


def test_each_refusal_is_one_sentence_next_to_the_field_and_stores_nothing(
    client, login, kiosk, engine
):
    csrf = login()
    tampered = json.loads(_file(kiosk))
    tampered["body"] = tampered["body"].replace('"rating":3', '"rating":1')
    stranger = enroll_kiosk(engine, "Ristiina 1", "Ristiinan kirjasto")
    gone = enroll_kiosk(engine, "Otava 1", "Otavan kirjasto")
    disable_kiosk(engine, gone.kiosk_id)
    unknown = json.loads(_file(stranger))
    unknown["kiosk_id"] = "naapurikunta-1"
    broken = make_visit(kiosk.kiosk_id)
    broken[0]["lang"] = "de"
    cases = [
        (None, "Choose a batch file first."),
        (b"\x89PNG not json", "This is not a batch file."),
        (b'{"format": "something else"}', "This is not a batch file."),
        (json.dumps(tampered).encode(), "signature does not match its kiosk"),
        (json.dumps(unknown).encode(), "does not know (naapurikunta-1)"),
        (_file(gone), f"from a disabled kiosk ({gone.kiosk_id})"),
        (_file(kiosk, broken), "nothing was stored: record 0: lang"),
        (b" " * (USB_FILE_MAX_BYTES + 10), "too large to be one kiosk"),
    ]
    for data, sentence in cases:
        response = _upload(client, csrf, data)
        assert response.status_code == 400, sentence
        assert sentence in response.text, (sentence, response.text[-2000:])
        assert 'aria-invalid="true"' in response.text
    assert _stored(engine) == 0
    with engine.connect() as conn:
        refusals = [
            e["details"]["refusal"]
            for e in audit.entries(conn, audit.AuditFilter(action="usb_import_refused"))
        ]
    assert sorted(refusals) == sorted(
        [
            "not-batch-file",
            "not-batch-file",
            "bad-signature",
            "unknown-kiosk",
            "disabled-kiosk",
            "invalid-batch",
            "too-large",
        ]
    )


def test_the_upload_needs_the_forms_csrf_token(client, login, kiosk, engine):
    login()
    response = client.post(
        "/staff/batches/import",
        data={"csrf": "forged"},
        files={"file": ("b.json", _file(kiosk), "application/json")},
    )
    assert response.status_code == 403
    assert _stored(engine) == 0
