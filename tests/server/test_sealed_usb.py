"""Sealed USB batch files on the server side (issue 10, reproduction 9): the key pair made at
``init``, its public half in kiosk-config, import of sealed files (and of older unsealed ones),
rotation that keeps old sticks readable."""

from __future__ import annotations

import io
import json
import stat
import sys
import time
from pathlib import Path

import pytest
from nacl.public import PrivateKey

from sync.protocol import make_batch_file
from sync.server import cli
from sync.server.settings import Settings
from sync.server.usb_keys import usb_key_path, usb_public_key
from sync.usb_crypto import public_key_text, seal


@pytest.fixture
def run(db_url, tmp_path, capsys):
    def run(*argv: str, stdin: str | None = None):
        old = sys.stdin
        if stdin is not None:
            sys.stdin = io.StringIO(stdin)
        try:
            status = cli.main(
                [*argv, "--database-url", db_url, "--data-dir", str(tmp_path / "data")]
            )
        finally:
            sys.stdin = old
        return (status, *capsys.readouterr())

    return run


def _sealed_batch(tmp_path: Path, kiosk, make_batch, make_record, key: str, story: str):
    recs = [make_record(kiosk.kiosk_id, "story", story=story)]
    batch_id, body = make_batch(kiosk.kiosk_id, records=recs)
    document = make_batch_file(kiosk.kiosk_id, kiosk.secret, body, int(time.time()) - 86400)
    path = tmp_path / f"{batch_id}.sealed"
    path.write_bytes(seal(key, json.dumps(document).encode()))
    return path, batch_id


def test_init_makes_a_private_key_pair(run, tmp_path):
    status, out, err = run("init")
    assert status == 0, err
    settings = Settings.load({"data_dir": str(tmp_path / "data")}, env={})
    path = usb_key_path(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert usb_public_key(settings) in out
    status, again, _ = run("init")
    assert status == 0 and usb_public_key(settings) in again  # the same key again


def test_kiosk_config_carries_the_public_key(client, kiosk, signed, settings):
    response = client.get(
        "/api/v1/kiosk-config", headers=signed(kiosk, "GET", "/api/v1/kiosk-config", b"")
    )
    assert response.status_code == 200
    assert response.json()["usb_public_key"] == usb_public_key(settings)


def test_sealed_files_import_hold_nothing_readable_and_survive_rotation(
    run, engine, kiosk, make_batch, make_record, tmp_path, count
):
    from sync.server.db.tables import records

    assert run("init")[0] == 0
    settings = Settings.load({"data_dir": str(tmp_path / "data")}, env={})
    first_key = usb_public_key(settings)
    story = "Tikulla matkaava tarina 040 7654321"
    before, before_id = _sealed_batch(tmp_path, kiosk, make_batch, make_record, first_key, story)
    data = before.read_bytes()
    assert story.encode() not in data and kiosk.kiosk_id.encode() not in data
    assert b"follow_up_token" not in data and b"records" not in data

    status, out, err = run("rotate-usb-key")
    assert status == 0, err
    second_key = usb_public_key(settings)
    assert second_key != first_key and second_key in out
    after, after_id = _sealed_batch(tmp_path, kiosk, make_batch, make_record, second_key, "uusi")

    for path, batch_id in ((before, before_id), (after, after_id)):
        status, out, err = run("import-batch", str(path))
        assert status == 0, err
        assert json.loads(out) == {"batch_id": batch_id, "accepted": 1, "duplicates": 0}
    assert count(records) == 2

    foreign = public_key_text(PrivateKey.generate())
    stranger, _ = _sealed_batch(tmp_path, kiosk, make_batch, make_record, foreign, "vieras")
    status, out, err = run("import-batch", str(stranger))
    assert status == 2 and out == ""
    assert err.strip().count("\n") == 0 and "USB keys" in err
    assert count(records) == 2
