"""kiosk.cli: subcommands register independently; bad configs stop with the key named."""

from __future__ import annotations

import io

import pytest

from kiosk.cli import build_parser, main
from kiosk.pin import PinGuard


def test_hash_pin_prints_a_hash_that_verifies(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("80085\n"))
    assert main(["hash-pin", "--stdin"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed.startswith("$argon2") and "80085" not in printed
    assert PinGuard(printed).check("80085").ok


def test_hash_pin_refuses_letters(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("12ab\n"))
    assert main(["hash-pin", "--stdin"]) == 2
    assert "digits only" in capsys.readouterr().err


def test_run_with_a_bad_config_names_the_key_and_opens_no_window(tmp_path, capsys):
    config = tmp_path / "kiosk.toml"
    config.write_text('kiosk_id = "k1"\ndata_dir = "d"\n[timeouts]\nidle_seconds = "x"\n')
    with pytest.raises(SystemExit) as info:
        main(["run", "--config", str(config)])
    assert info.value.code == 2
    assert "timeouts.idle_seconds: must be a number of seconds" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()  # nothing was started


def test_check_config_accepts_a_good_file(tmp_path, capsys):
    config = tmp_path / "kiosk.toml"
    config.write_text('kiosk_id = "k1"\ndata_dir = "d"\n')
    assert main(["check-config", "--config", str(config)]) == 0
    assert "OK" in capsys.readouterr().out


def test_every_subcommand_is_registered():
    commands = build_parser()._subparsers._group_actions[0].choices
    assert {"run", "hash-pin", "screenshots", "check-config"} <= set(commands)


def test_kiosk_run_starts_and_a_service_stop_ends_it(tmp_path):
    """SIGTERM (systemctl stop) ends the kiosk although window close requests are refused."""
    import os
    import signal
    import subprocess
    import sys
    import time

    config = tmp_path / "kiosk.toml"
    config.write_text('kiosk_id = "k1"\ndata_dir = "d"\n[display]\nfullscreen = false\n')
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_CONSOLELOG="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "run", "--config", str(config)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "d" / "store.lock").exists() and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            time.sleep(0.2)
        time.sleep(3)  # past the window's creation into the main loop
        assert proc.poll() is None, "the kiosk stopped by itself"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_an_offline_kiosk_with_a_secret_can_still_export_to_usb(tmp_path):
    """No server URL, but a secret and the server's key from enrolment: staff must still be
    able to write sealed, signed USB batch files."""
    from nacl.public import PrivateKey

    from kiosk.cli import sync_service_for
    from kiosk.settings import load_settings
    from kiosk.store import LocalStore
    from sync.protocol import new_follow_up_token, utc_now_iso
    from sync.usb_crypto import public_key_text

    config = tmp_path / "kiosk.toml"
    config.write_text(
        'kiosk_id = "k1"\ndata_dir = "data"\n[server]\nsecret = "c2VjcmV0LXNlY3JldC1zZWNyZXQ"\n'
        'usb_public_key = "' + public_key_text(PrivateKey.generate()) + '"\n'
    )
    settings = load_settings(config)
    with LocalStore(tmp_path / "data") as store:
        store.save(
            {
                "visit_id": "3f1c2d9e-8a4b-4c6d-9e0f-1a2b3c4d5e6f",
                "created_at": utc_now_iso(),
                "kiosk_id": "k1",
                "event_id": "e1",
                "kind": "rating",
                "rating": 4,
                "lang": "fi",
                "follow_up_token": new_follow_up_token(),
            }
        )
        service = sync_service_for(settings, store)
        assert service is not None
        stick = tmp_path / "stick"
        stick.mkdir()
        report = service.export_to(stick).result(30)
        service.stop(5)
        assert report.records == 1 and len(list(stick.iterdir())) == 1
        assert store.counts()["pending"] == 1  # only the server's acknowledgement clears it


def test_a_kiosk_without_server_or_secret_runs_without_sync(tmp_path):
    from kiosk.cli import sync_service_for
    from kiosk.settings import load_settings

    config = tmp_path / "kiosk.toml"
    config.write_text('kiosk_id = "k1"\ndata_dir = "data"\n')
    assert sync_service_for(load_settings(config), store=None) is None
