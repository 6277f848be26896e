"""One release number everywhere: `kiosk --version`, `kiosk-server --version`, the CHANGELOG."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import pytest

from kiosk import cli as kiosk_cli
from sync.server import cli as server_cli

REPO = Path(__file__).resolve().parents[2]


def test_both_commands_tell_the_installed_release(capsys):
    expected = importlib.metadata.version("kayttajatori")
    for main, prog in ((kiosk_cli.main, "kiosk"), (server_cli.main, "kiosk-server")):
        with pytest.raises(SystemExit) as exit_:
            main(["--version"])
        assert exit_.value.code == 0
        assert capsys.readouterr().out.strip() == f"{prog} {expected}"


def test_the_changelog_describes_the_release_in_pyproject():
    version = re.search(r'^version = "([^"]+)"', (REPO / "pyproject.toml").read_text(), re.M).group(
        1
    )
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    first = re.search(r"^## \[?(\d+\.\d+\.\d+)", changelog, re.M)
    assert first is not None and first.group(1) == version
