"""What each installer installs and starts (the container trial, scripts/trial-server-install.sh,
runs the server's for real; these pin the decisions so an edit cannot undo them quietly)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
KIOSK = (REPO / "deploy" / "kiosk" / "install-kiosk.sh").read_text()
SERVER = (REPO / "deploy" / "server" / "install-server.sh").read_text()


VENV = (REPO / "deploy" / "install-venv.sh").read_text()


def test_each_side_installs_its_own_lock_and_the_pinned_build_tools_only():
    assert re.findall(r"install_venv \S+ (\w+)", KIOSK) == ["kiosk"]
    assert re.findall(r"install_venv \S+ (\w+)", SERVER) == ["server"]
    for script in (KIOSK, SERVER):
        assert "requirements" not in script and "pip install" not in script
    assert "requirements/build-tools.lock" in VENV and "requirements/$2.lock" in VENV
    assert "--upgrade pip" not in VENV  # pip comes pinned from build-tools.lock
    assert VENV.count("--no-build-isolation") == 3  # comment, the lock's sdists, the app
    assert VENV.count("--require-hashes") == 2


def test_timers_start_now_and_the_server_only_once_its_settings_work():
    assert "enable --now kayttajatori-kiosk-recover.timer" in KIOSK
    assert "enable --now kiosk-server-backup.timer" in SERVER
    placeholder = SERVER.index("CHANGE-ME")
    checked = SERVER.index("kiosk-server-admin init")
    started = SERVER.index("systemctl restart kiosk-server.service")
    assert placeholder < checked < started
    assert "CHANGE-ME" in (REPO / "deploy" / "server" / "kiosk-server.env.example").read_text()


def test_the_admin_helper_does_not_source_the_settings_file():
    admin = (REPO / "deploy" / "server" / "kiosk-server-admin").read_text()
    code = [line for line in admin.splitlines() if not line.lstrip().startswith("#")]
    assert not any(re.match(r"\s*\.\s", line) or "source " in line for line in code)
    assert "sync.server.envfile" in admin


def _pins(lock: str) -> set[str]:
    text = (REPO / "requirements" / lock).read_text()
    return {m.lower() for m in re.findall(r"^([A-Za-z0-9_.-]+)==", text, re.M)}


def test_each_lock_holds_its_side_and_not_the_other():
    kiosk, server, dev = _pins("kiosk.lock"), _pins("server.lock"), _pins("dev.lock")
    assert {"kivy", "tinydb", "httpx", "python-escpos", "pynacl", "pip", "setuptools"} <= kiosk
    assert not {"fastapi", "sqlalchemy", "matplotlib", "uvicorn", "pytest", "playwright"} & kiosk
    assert {"fastapi", "sqlalchemy", "weasyprint", "openpyxl", "feedgen", "pynacl", "pip"} <= server
    assert not {"kivy", "tinydb", "pytest", "playwright", "mypy", "ruff", "uv"} & server
    assert kiosk | server <= dev and {"pytest", "frictionless", "playwright"} <= dev
    assert {"pip", "setuptools", "wheel"} <= _pins("build-tools.lock")
    for lock in ("kiosk.lock", "server.lock", "dev.lock", "build-tools.lock"):
        assert "--hash=sha256:" in (REPO / "requirements" / lock).read_text()
