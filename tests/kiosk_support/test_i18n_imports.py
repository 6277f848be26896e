"""The kiosk's gettext runtime imports nothing of its catalogue tooling (no import circle)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import kiosk.i18n

RUNTIME = Path(kiosk.i18n.__file__)


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_the_runtime_never_imports_the_tooling():
    assert "kiosk.i18n_catalogs" not in imported_modules(RUNTIME)


def test_python_m_kiosk_i18n_still_runs_the_tooling():
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.i18n", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "python -m kiosk.i18n_catalogs" in done.stdout
