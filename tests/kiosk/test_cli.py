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
