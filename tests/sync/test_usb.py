"""USB fallback: sealed, signed batch files, imported by the server, later acknowledged as
duplicates. A sealed file holds nothing readable (issue 10, reproduction 9)."""

from __future__ import annotations

import json
import os
import random

import pytest
from nacl.public import PrivateKey

from sync.protocol import BATCH_MAX_RECORDS, read_batch_file, verify_signature
from sync.usb import UsbExportError, batch_file_name, export_pending
from sync.usb_crypto import SEALED_MAGIC, open_sealed, public_key_text
from tests.sync.conftest import assert_server_holds_exactly
from tests.sync.outbox import MemoryOutbox, make_record

KEY = public_key_text(PrivateKey.generate())


def test_exported_files_import_and_the_network_then_counts_duplicates(
    kiosk, make_client, server, tmp_path
):
    saved = kiosk.save(30, kind="story")
    stick = tmp_path / "stick"
    stick.mkdir()
    # Without the server's key the kiosk writes nothing; kiosk-config brings the key.
    with pytest.raises(UsbExportError, match="USB key"):
        export_pending(kiosk.store, stick, kiosk.kiosk_id, kiosk.secret)
    assert os.listdir(stick) == []
    assert make_client().pull_config() is True
    report = export_pending(kiosk.store, stick, kiosk.kiosk_id, kiosk.secret)
    assert report.records == 30 and len(report.files) == 1
    sealed = report.files[0].read_bytes()
    assert sealed.startswith(SEALED_MAGIC)
    for record in saved:
        for secret_part in (record["story"], record["follow_up_token"], record["id"]):
            assert secret_part.encode() not in sealed
    assert b"records" not in sealed and kiosk.kiosk_id.encode() not in sealed
    assert kiosk.pending() == 30  # an export is no acknowledgement
    ack = server.import_batch(report.files[0])
    assert ack["accepted"] == 30 and ack["duplicates"] == 0
    assert_server_holds_exactly(server, kiosk.kiosk_id, saved)
    assert [b["source"] for b in server.batches(kiosk.kiosk_id)] == ["usb"]
    # The network delivers the same records later: duplicates, acknowledged, pending cleared.
    report = make_client().drain_once()
    assert report.problem is None
    assert (report.batches[0].accepted, report.batches[0].duplicates) == (0, 30)
    assert kiosk.pending() == 0
    assert_server_holds_exactly(server, kiosk.kiosk_id, saved)


def test_files_are_signed_split_and_named_after_kiosk_and_batch(tmp_path):
    # Any outbox will do; the in-memory one spares a thousand fsyncs.
    outbox, secret = MemoryOutbox(), "c2VjcmV0LW9mLXRoZS10ZXN0LWtpb3Nr"
    rng = random.Random(5)
    for _ in range(BATCH_MAX_RECORDS * 2 + 7):
        outbox.save(make_record("usb-kiosk", rng))
    server_key = PrivateKey.generate()
    report = export_pending(
        outbox, tmp_path, "usb-kiosk", secret, server_public_key=public_key_text(server_key)
    )
    assert report.records == BATCH_MAX_RECORDS * 2 + 7
    sizes = []
    for path in report.files:
        document = json.loads(open_sealed([server_key], path.read_bytes()))
        kiosk_id, timestamp, signature, body = read_batch_file(document)
        assert kiosk_id == "usb-kiosk"
        assert verify_signature(secret, "POST", "/api/v1/batches", timestamp, body, signature)
        batch = json.loads(body)
        assert path.name == batch_file_name("usb-kiosk", batch["batch_id"])
        assert "usb-kiosk" in path.name and batch["batch_id"] in path.name
        sizes.append(len(batch["records"]))
    assert sorted(sizes) == [7, BATCH_MAX_RECORDS, BATCH_MAX_RECORDS]
    assert sorted(os.listdir(tmp_path)) == sorted(p.name for p in report.files)  # no temp files
    assert outbox.counts()["pending"] == BATCH_MAX_RECORDS * 2 + 7


def test_file_names_are_safe_on_a_fat_stick():
    name = batch_file_name("mikkeli:main/1", "3f1c2d9e-8a4b-4c6d-9e0f-1a2b3c4d5e6f")
    assert name == "kayttajatori-mikkeli_main_1-3f1c2d9e-8a4b-4c6d-9e0f-1a2b3c4d5e6f.sealed"


def test_a_missing_folder_is_named_and_changes_nothing(kiosk, tmp_path):
    kiosk.save(3)
    with pytest.raises(UsbExportError, match="is not a folder"):
        export_pending(kiosk.store, tmp_path / "not-mounted", kiosk.kiosk_id, kiosk.secret)
    assert kiosk.pending() == 3


def test_a_failed_write_leaves_no_partial_file(tmp_path):
    outbox = MemoryOutbox()
    outbox.save(make_record("usb-kiosk", random.Random(6)))
    stick = tmp_path / "stick"
    stick.mkdir()
    # Make the final rename fail: the target name is taken by a folder.
    blocked_id = "0c0ffee0-0000-4000-8000-000000000000"
    (stick / batch_file_name("usb-kiosk", blocked_id)).mkdir()
    with pytest.raises(UsbExportError, match="could not write"):
        export_pending(
            outbox,
            stick,
            "usb-kiosk",
            "c2VjcmV0",
            batch_id=lambda: blocked_id,
            server_public_key=KEY,
        )
    assert os.listdir(stick) == [batch_file_name("usb-kiosk", blocked_id)]  # no temp file
    assert outbox.counts()["pending"] == 1


def test_nothing_pending_writes_nothing(tmp_path):
    report = export_pending(
        MemoryOutbox(), tmp_path, "usb-kiosk", "c2VjcmV0", server_public_key=KEY
    )
    assert report.files == () and report.records == 0 and os.listdir(tmp_path) == []


def test_kiosk_config_key_wins_over_the_enrolment_key(tmp_path):
    # After a rotation kiosk-config brings the new key; the key from enrolment is older.
    old, new = PrivateKey.generate(), PrivateKey.generate()
    outbox = MemoryOutbox()
    outbox.save(make_record("usb-kiosk", random.Random(8)))
    outbox.put_kiosk_config({"usb_public_key": public_key_text(new)}, "etag")
    report = export_pending(
        outbox, tmp_path, "usb-kiosk", "c2VjcmV0", server_public_key=public_key_text(old)
    )
    assert json.loads(open_sealed([new], report.files[0].read_bytes()))["kiosk_id"] == "usb-kiosk"


def test_a_damaged_key_writes_nothing(tmp_path):
    outbox = MemoryOutbox()
    outbox.save(make_record("usb-kiosk", random.Random(9)))
    with pytest.raises(UsbExportError, match="damaged"):
        export_pending(outbox, tmp_path, "usb-kiosk", "c2VjcmV0", server_public_key="bm9wZQ==")
    assert os.listdir(tmp_path) == []
