"""The command-line tools speak the admin's locale: one language per run, fi, sv or en."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from sync.cli_language import cli_language


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "fi_FI.UTF-8"}, "fi"),
        ({"LANG": "sv_FI.UTF-8"}, "sv"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "fi_FI.UTF-8", "LC_ALL": "sv_SE.UTF-8"}, "sv"),
        ({"LC_ALL": "C", "LANGUAGE": "fi:en"}, "fi"),
        ({"LC_MESSAGES": "sv_FI@euro", "LANG": "en_GB.UTF-8"}, "sv"),
    ],
)
def test_the_language_follows_the_locale_variables_in_posix_order(env, lang):
    assert cli_language(env) == lang


def kiosk_help(lang_env: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env["LANG"] = lang_env
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args, "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_kiosk_help_is_english_in_an_english_or_c_locale_subcommands_included():
    text = kiosk_help("C.UTF-8")
    assert "usage: kiosk" in text and "start the full-screen kiosk" in text
    assert "send pending records to the server now" in text  # kiosk sync's summary
    assert "lähetä" not in text and "käyttö" not in text


def test_kiosk_help_is_finnish_in_a_finnish_locale_argparse_words_included():
    text = kiosk_help("fi_FI.UTF-8")
    assert "käyttö: kiosk" in text and "valitsimet:" in text
    assert "käynnistä kioski koko näytölle" in text and "lähetä odottavat tietueet" in text
    assert "options:" not in text and "start the full-screen kiosk" not in text


def test_kiosk_subcommand_help_is_swedish_in_a_swedish_locale():
    text = kiosk_help("sv_FI.UTF-8", "screenshots")
    assert "användning: kiosk screenshots" in text and "flaggor:" in text
    assert "bara det här språket" in text and "only this language" not in text
