"""kiosk-server speaks the admin's locale like kiosk does: every word of its help in fi and sv."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from sync.server.domain.i18n import LOCALE_DIR
from sync.server.settings import option_help

SERVER = Path(__file__).resolve().parents[2] / "sync" / "server"
ARGPARSE_WORDS = ["usage: ", "positional arguments", "options", "show this help message and exit"]


def cli_messages() -> list[str]:
    found = []
    for path in sorted(SERVER.glob("*cli.py")):
        for _line, message, _comments, _context in extract_from_file("python", str(path)):
            found.append(message if isinstance(message, str) else message[0])
    assert len(found) > 40  # the extractor really read the command line
    return [*found, *option_help().values(), *ARGPARSE_WORDS]


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_command_line_message_has_a_translation(lang):
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "web.po").open("rb") as handle:
        catalog = read_po(handle)
    missing = [m for m in cli_messages() if m not in catalog or not catalog[m].string]
    assert not missing, f"{lang}: {missing[:5]}"


def server_help(lang_env: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env["LANG"] = lang_env
    done = subprocess.run(
        [sys.executable, "-m", "sync.server.cli", *args, "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_help_is_in_one_language_per_locale():
    english = server_help("C.UTF-8", "enroll-kiosk")
    assert "usage: kiosk-server enroll-kiosk" in english and "Where the kiosk stands." in english
    finnish = server_help("fi_FI.UTF-8", "enroll-kiosk")
    assert "käyttö: kiosk-server enroll-kiosk" in finnish and "Missä kioski on." in finnish
    assert "Kansio SQLite-tietokannalle" in finnish  # the settings flags too
    assert "options:" not in finnish and "Where the kiosk stands." not in finnish
    swedish = server_help("sv_FI.UTF-8")
    assert "användning: kiosk-server" in swedish and "Återställ en säkerhetskopia" in swedish
