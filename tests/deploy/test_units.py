"""Every systemd unit under deploy/ passes ``systemd-analyze verify``, and the units say what
the deployment guides promise (restart on crash with a start limit that recovers, journal
logging, no console on tty1, multiprocess metrics for several workers).

``verify`` also checks that each ExecStart program exists on this machine, so the copies it
checks point the install prefix (/opt/kayttajatori/venv) at this checkout's venv, and cage at
a stand-in script when cage is not installed here; nothing else is changed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNIT_SUFFIXES = (".service", ".timer", ".socket", ".path", ".target")
UNITS = sorted(p for p in (REPO / "deploy").rglob("*") if p.suffix in UNIT_SUFFIXES and p.is_file())
INSTALL_PREFIX = "/opt/kayttajatori/venv/bin/"


def test_the_units_are_there():
    names = {p.name for p in UNITS}
    assert {
        "kayttajatori-kiosk.service",
        "kayttajatori-kiosk-recover.service",
        "kayttajatori-kiosk-recover.timer",
        "kiosk-server.service",
        "kiosk-server-backup.service",
        "kiosk-server-backup.timer",
        "kiosk-server-purge.service",
        "kiosk-server-purge.timer",
    } <= names


def _local_copies(tmp_path: Path) -> list[Path]:
    venv_bin = Path(sys.executable).parent
    assert (venv_bin / "kiosk").exists() and (venv_bin / "kiosk-server").exists()
    cage = "/usr/bin/cage"
    if not Path(cage).exists():
        stand_in = tmp_path / "bin" / "cage"
        stand_in.parent.mkdir()
        stand_in.write_text("#!/bin/sh\nexit 0\n")
        stand_in.chmod(0o755)
        cage = str(stand_in)
    folder = tmp_path / "units"
    folder.mkdir()
    copies = []
    for unit in UNITS:
        text = unit.read_text(encoding="utf-8")
        text = text.replace(INSTALL_PREFIX, f"{venv_bin}/").replace("/usr/bin/cage ", f"{cage} ")
        copy = folder / unit.name
        copy.write_text(text, encoding="utf-8")
        copies.append(copy)
    return copies


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is absent")
def test_systemd_analyze_verify_passes_on_every_unit(tmp_path):
    copies = _local_copies(tmp_path)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *map(str, copies)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # verify exits 0 with warnings; every line it prints is a finding, so none are allowed.
    findings = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert result.returncode == 0 and findings == [], "\n".join(findings)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is absent")
def test_verify_does_catch_a_broken_unit(tmp_path):
    """The check above can fail: a typo in a directive is reported."""
    copies = _local_copies(tmp_path)
    kiosk = next(p for p in copies if p.name == "kayttajatori-kiosk.service")
    kiosk.write_text(kiosk.read_text().replace("RestartSec=", "RestartSecs="))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(kiosk)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "RestartSecs" in result.stderr


def _unit(name: str) -> dict[str, dict[str, str]]:
    """Section -> directive -> value; a directive given several times has its values joined
    by newlines (as systemd accumulates Environment= and ExecStart= of a oneshot)."""
    sections: dict[str, dict[str, str]] = {}
    section = ""
    for raw in next(p for p in UNITS if p.name == name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            sections.setdefault(section, {})
            continue
        key, _, value = line.partition("=")
        values = sections[section]
        values[key] = f"{values[key]}\n{value}" if key in values else value
    return sections


def test_the_kiosk_restarts_and_a_kiosk_that_gave_up_is_retried():
    kiosk = _unit("kayttajatori-kiosk.service")
    assert kiosk["Service"]["Restart"] == "always"
    assert int(kiosk["Unit"]["StartLimitBurst"]) >= 3
    assert int(kiosk["Unit"]["StartLimitIntervalSec"]) > 0
    assert kiosk["Service"]["StandardOutput"] == "journal"
    assert kiosk["Service"]["User"] == "kiosk"  # never root
    assert "getty@tty1.service" in kiosk["Unit"]["Conflicts"]
    assert kiosk["Service"]["ExecStart"].startswith("/usr/bin/cage ")
    recover = _unit("kayttajatori-kiosk-recover.service")["Service"]
    assert "is-failed" in recover["ExecCondition"]  # a kiosk stopped on purpose stays stopped
    timer = _unit("kayttajatori-kiosk-recover.timer")["Timer"]
    assert timer["Unit"] == "kayttajatori-kiosk-recover.service"
    # Wall-clock, so it keeps firing; OnBootSec=/OnUnitActiveSec= alone can stop for good.
    assert "OnCalendar" in timer and "OnUnitActiveSec" not in timer


def test_the_server_runs_several_workers_that_share_their_metrics():
    server = _unit("kiosk-server.service")["Service"]
    assert "--workers 4" in server["ExecStart"] and "--host 127.0.0.1" in server["ExecStart"]
    assert "PROMETHEUS_MULTIPROC_DIR=/run/kiosk-server/metrics" in server["Environment"]
    assert "kiosk-server/metrics" in server["RuntimeDirectory"]
    backup = _unit("kiosk-server-backup.service")["Service"]
    assert " backup /var/lib/kiosk-server-backups --keep " in backup["ExecStart"]
