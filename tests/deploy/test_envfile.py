"""kiosk-server-admin reads the settings file the way systemd's EnvironmentFile= does."""

from __future__ import annotations

import subprocess
import sys

from sync.server.envfile import parse_env_text

ENV_FILE = r"""# comment with = sign
; also a comment
KT_PUBLIC_BASE_URL=https://palaute.example.fi
KT_DATABASE_URL=postgresql+psycopg://kiosk_server:pa$$w0rd$HOME@127.0.0.1/kiosk_server
  SPACED  =  value with inner  spaces{TRAILING}
SINGLE='a $b "c" \d'
DOUBLE="x \"y\" \$z \\ \q"
JOINED='one'"two"three
CONTINUED=first \
second
EMPTY=
NO_EQUALS_LINE
KT_DISTRICTS=keskusta,otava # not a comment in systemd
""".replace("{TRAILING}", "   ")


def test_values_read_as_systemd_reads_them():
    env = parse_env_text(ENV_FILE)
    assert env["KT_PUBLIC_BASE_URL"] == "https://palaute.example.fi"
    # `$` is never expanded: a password with dollars reaches the server as written.
    assert env["KT_DATABASE_URL"].endswith("kiosk_server:pa$$w0rd$HOME@127.0.0.1/kiosk_server")
    assert env["SPACED"] == "value with inner  spaces"
    assert env["SINGLE"] == 'a $b "c" \\d'
    assert env["DOUBLE"] == 'x "y" $z \\ \\q'
    assert env["JOINED"] == "onetwothree"
    assert env["CONTINUED"] == "first second"
    assert env["EMPTY"] == ""
    assert "NO_EQUALS_LINE" not in env
    assert env["KT_DISTRICTS"] == "keskusta,otava # not a comment in systemd"
    assert len(env) == 9


def test_the_admin_helper_runs_a_command_with_exactly_those_values(tmp_path):
    env_file = tmp_path / "kiosk-server.env"
    env_file.write_text("KT_DATABASE_URL=sqlite:///x?p=a$b`c`'d'\n")
    shown = subprocess.run(
        [sys.executable, "-m", "sync.server.envfile", str(env_file), sys.executable, "-c"]
        + ["import os; print(os.environ['KT_DATABASE_URL'])"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert shown.stdout.strip() == "sqlite:///x?p=a$b`c`'d'"  # quotes mid-value are literal
    missing = subprocess.run(
        [sys.executable, "-m", "sync.server.envfile", str(tmp_path / "none"), "true"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 1 and "cannot read" in missing.stderr
