"""``kiosk setup`` against a real server process: it spends the code once, writes a config that
``kiosk run`` accepts and a secret that signs requests the server accepts, both created 0600;
it refuses plain http to another machine, an existing config (before spending the code), and a
used code with the server's own message."""

from __future__ import annotations

import json
import os
import stat
import time

import httpx
import pytest

from kiosk import setup_cli
from kiosk.settings import load_settings
from kiosk.setup_cli import ENROLL_PATH, SetupError, check_server_url
from sync.protocol import signature_headers
from sync.server.resources.enrollment import ENROLL_PATH as SERVER_ENROLL_PATH
from sync.server.resources.kiosk_config import KIOSK_CONFIG_PATH
from tests.support.servers import free_port


def test_the_kiosk_and_the_server_agree_on_the_path():
    assert ENROLL_PATH == SERVER_ENROLL_PATH


@pytest.mark.parametrize(
    "url",
    [
        "https://kiosks.mikkeli.fi",
        "https://kiosks.mikkeli.fi:8443/",
        "http://127.0.0.1:8765",
        "http://localhost:8765",
        "http://[::1]:8765",
        "http://127.5.5.5",
    ],
)
def test_https_or_loopback_http_is_accepted(url):
    assert check_server_url(url) == url.rstrip("/")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://kiosks.mikkeli.fi", "use https://"),
        ("http://192.168.1.10:8765", "use https://"),
        ("ftp://kiosks.mikkeli.fi", "not a web address"),
        ("kiosks.mikkeli.fi", "not a web address"),
        ("https://kiosks.mikkeli.fi/?x=1", r"without \? or #"),
    ],
)
def test_other_urls_are_refused_with_the_reason(url, problem):
    with pytest.raises(SetupError, match=problem):
        check_server_url(url)


def _code(cli, db_url: str, name: str) -> str:
    result = cli(
        "kiosk-server",
        "enroll-kiosk",
        name,
        "--site",
        "Pääkirjasto",
        "--json",
        "--database-url",
        db_url,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["enrollment_code"]


def test_setup_end_to_end_with_a_real_server(
    cli, new_database, start_server, tmp_path, monkeypatch
):
    db_url = new_database("sqlite")
    server = start_server(db_url)
    code = _code(cli, db_url, "Mikkeli main 1")
    etc, var = tmp_path / "etc" / "kayttajatori", tmp_path / "var" / "kayttajatori"
    args = [
        "setup",
        "--server",
        server + "/",
        "--code",
        code.lower(),
        "--config",
        str(etc / "kiosk.toml"),
        "--data-dir",
        str(var),
    ]

    # An existing config is refused before the code is spent.
    etc.mkdir(parents=True)
    (etc / "kiosk.toml").write_text("# the old one\n")
    refused = cli("kiosk", *args)
    assert refused.returncode == 2 and "exists already; add --force" in refused.stderr
    assert (etc / "kiosk.toml").read_text() == "# the old one\n"

    # Created owner-only from the start: even with umask 0, and no chmod afterwards.
    def no_chmod(*_args, **_kwargs):
        raise AssertionError("kiosk setup must create files 0600, not chmod them")

    monkeypatch.setattr(os, "chmod", no_chmod)
    monkeypatch.setattr(os, "fchmod", no_chmod)
    old_umask = os.umask(0)
    try:
        done = cli("kiosk", *args, "--force")
    finally:
        os.umask(old_umask)
        monkeypatch.undo()
    assert done.returncode == 0, done.stderr
    assert "mikkeli-main-1 is set up" in done.stdout
    for path in (etc / "kiosk.toml", etc / "secret"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert not [p for p in etc.iterdir() if p.name.startswith(".")]  # no temporary left over

    settings = load_settings(etc / "kiosk.toml")
    assert settings.kiosk_id == "mikkeli-main-1"
    assert settings.server_url == server and settings.data_dir == var and var.is_dir()
    assert settings.secret_file == etc / "secret"
    # The secret it wrote signs requests the server accepts.
    headers = signature_headers(
        settings.kiosk_id, settings.read_secret(), "GET", KIOSK_CONFIG_PATH, b"", int(time.time())
    )
    answer = httpx.get(server + KIOSK_CONFIG_PATH, headers=headers, timeout=20)
    assert answer.status_code == 200
    # The server's USB key came with the enrolment, the same kiosk-config carries.
    assert settings.usb_public_key and answer.json()["usb_public_key"] == settings.usb_public_key
    assert cli("kiosk", "check-config", "--config", str(etc / "kiosk.toml")).returncode == 0

    # The code is spent: a second setup gets the server's message, and changes nothing.
    before = (etc / "secret").read_bytes()
    again = cli("kiosk", *args, "--force")
    assert again.returncode == 1
    assert "refused the code (HTTP 409)" in again.stderr and "already used" in again.stderr
    assert (etc / "secret").read_bytes() == before

    # A failure after the code was spent says so (the code cannot be tried again).
    fresh = cli(
        "kiosk-server", "enrollment-code", "mikkeli-main-1", "--json", "--database-url", db_url
    )
    code = json.loads(fresh.stdout)["enrollment_code"]

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(setup_cli, "write_private", disk_full)
    failed = cli(
        "kiosk",
        "setup",
        "--server",
        server,
        "--code",
        code,
        "--force",
        "--config",
        str(etc / "kiosk.toml"),
        "--data-dir",
        str(var),
    )
    monkeypatch.undo()
    assert failed.returncode == 1
    assert "accepted the code but writing the files failed" in failed.stderr
    assert "No space left on device" in failed.stderr
    assert (etc / "secret").read_bytes() == before


def test_setup_says_so_when_the_server_cannot_be_reached(cli, tmp_path):
    result = cli(
        "kiosk",
        "setup",
        "--server",
        f"http://127.0.0.1:{free_port()}",
        "--code",
        "0000-0000-0000-0000-0000",
        "--config",
        str(tmp_path / "k.toml"),
        "--data-dir",
        str(tmp_path / "data"),
    )
    assert result.returncode == 1 and "cannot reach the server" in result.stderr
    assert not (tmp_path / "k.toml").exists()


def test_setup_refuses_plain_http_to_another_machine_without_sending(cli, tmp_path):
    result = cli(
        "kiosk",
        "setup",
        "--server",
        "http://kiosks.mikkeli.fi",
        "--code",
        "X",
        "--config",
        str(tmp_path / "k.toml"),
        "--data-dir",
        str(tmp_path / "d"),
    )
    assert result.returncode == 2 and "use https://" in result.stderr
    unknown_owner = cli(
        "kiosk",
        "setup",
        "--server",
        "https://kiosks.mikkeli.fi",
        "--code",
        "X",
        "--config",
        str(tmp_path / "k.toml"),
        "--owner",
        "no-such-user-kt",
    )
    assert unknown_owner.returncode == 2 and "no user 'no-such-user-kt'" in unknown_owner.stderr
    (tmp_path / "a-file").write_text("")
    not_a_folder = cli(
        "kiosk",
        "setup",
        "--server",
        "https://kiosks.mikkeli.fi",
        "--code",
        "X",
        "--config",
        str(tmp_path / "k.toml"),
        "--data-dir",
        str(tmp_path / "a-file"),
    )
    assert not_a_folder.returncode == 2 and "is a file, not a folder" in not_a_folder.stderr
