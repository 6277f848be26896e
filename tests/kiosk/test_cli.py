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
