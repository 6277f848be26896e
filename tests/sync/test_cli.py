"""``kiosk sync --once`` and ``kiosk sync --export`` as staff run them, in a real process."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.sync.conftest import assert_server_holds_exactly

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def kiosk_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "sync", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def flags(kiosk, proxy, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(kiosk.secret + "\n")
    return [
        "--server",
        proxy.url,
        "--kiosk-id",
        kiosk.kiosk_id,
        "--secret-file",
        secret_file,
        "--data-dir",
        kiosk.data_dir,
    ]


def test_once_drains_everything_and_exits_0(kiosk, flags, server):
    saved = kiosk.save(620)  # two batches
    kiosk.store.close()  # the store admits one process at a time, like the running kiosk
    done = kiosk_cli("--once", *flags)
    assert done.returncode == 0, done.stderr
    # One line per batch, with its id (the words follow the kiosk's language, Finnish by default).
    batch_lines = [line for line in done.stdout.splitlines() if _UUID.search(line)]
    assert len(batch_lines) == 2
    assert "500" in batch_lines[0] and "120" in batch_lines[1]
    kiosk.reopen()
    assert kiosk.pending() == 0
    assert_server_holds_exactly(server, kiosk.kiosk_id, saved)
    assert kiosk.store.kiosk_config()[0] is not None  # the config was pulled as well


def test_once_exits_1_when_records_stay_pending(kiosk, flags, proxy):
    kiosk.save(4)
    kiosk.store.close()
    proxy.refuse(True)
    done = kiosk_cli("--once", *flags)
    assert done.returncode == 1
    assert "4" in done.stdout.splitlines()[-1]  # what is left pending is said
    kiosk.reopen()
    assert kiosk.pending() == 4


def test_config_file_is_read_and_flags_override_it(kiosk, proxy, tmp_path, server):
    saved = kiosk.save(3)
    kiosk.store.close()
    (tmp_path / "secret").write_text(kiosk.secret)
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'kiosk_id = "{kiosk.kiosk_id}"\n'
        f'data_dir = "{kiosk.data_dir}"\n'
        "[server]\n"
        'url = "http://127.0.0.1:9"\n'  # wrong on purpose: --server wins
        'secret_file = "secret"\n'  # relative to the config file
    )
    done = kiosk_cli("--once", "--config", config, "--server", proxy.url)
    assert done.returncode == 0, done.stdout + done.stderr
    kiosk.reopen()
    assert kiosk.pending() == 0
    assert_server_holds_exactly(server, kiosk.kiosk_id, saved)


def test_missing_options_are_named(tmp_path):
    done = kiosk_cli("--once", "--data-dir", tmp_path)
    assert done.returncode == 2
    assert "--kiosk-id" in done.stderr and "--secret-file" in done.stderr
    assert "--server" in done.stderr
    done = kiosk_cli("--once", "--config", tmp_path / "nope.toml")
    assert done.returncode == 2 and "nope.toml" in done.stderr


def test_a_running_kiosk_holding_the_store_is_explained(kiosk, flags):
    kiosk.save(1)  # the test's store stays open, as the kiosk app's would
    done = kiosk_cli("--once", *flags)
    assert done.returncode == 2
    assert str(kiosk.data_dir) in done.stderr or "lock" in done.stderr.lower()
    assert kiosk.pending() == 1


def test_export_writes_files_and_keeps_records_pending(kiosk, flags, tmp_path):
    from nacl.public import PrivateKey

    from sync.usb_crypto import SEALED_MAGIC, public_key_text

    kiosk.save(5)
    # The key a kiosk-config from the server left in the store seals the files.
    kiosk.store.put_kiosk_config({"usb_public_key": public_key_text(PrivateKey.generate())}, "e")
    kiosk.store.close()
    stick = tmp_path / "stick"
    stick.mkdir()
    done = kiosk_cli("--export", stick, *flags)
    assert done.returncode == 0, done.stderr
    files = list(stick.iterdir())
    assert len(files) == 1 and str(files[0]) in done.stdout
    assert files[0].read_bytes().startswith(SEALED_MAGIC)
    kiosk.reopen()
    assert kiosk.pending() == 5


def test_refused_records_make_once_exit_1_and_are_named(kiosk, flags, server):
    saved = kiosk.save(2)
    kiosk.save(1, kiosk_id="not-this-kiosk")  # the server refuses it (422)
    kiosk.store.close()
    done = kiosk_cli("--once", *flags)
    assert done.returncode == 1
    assert "422" in done.stdout and "not-this-kiosk" in done.stdout
    kiosk.reopen()
    assert kiosk.pending() == 1  # kept, never deleted
    assert_server_holds_exactly(server, kiosk.kiosk_id, saved)
