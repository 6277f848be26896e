"""kiosk.kivy_setup: input through SDL only, no mtdev notice, no library chatter in the log."""

from __future__ import annotations

import logging
import subprocess
import sys


def test_the_kiosk_reads_input_through_sdl_only():
    from kivy.config import Config

    assert dict(Config.items("input")) == {"mouse": "mouse,disable_multitouch"}


def test_libraries_debug_lines_stay_out_of_kivys_log():
    # The sync worker's HTTP library logs every attempt at DEBUG: on a kiosk whose server is
    # down that was a disk write a minute.
    assert not logging.getLogger("httpcore.connection").isEnabledFor(logging.INFO)
    assert logging.getLogger("httpx").isEnabledFor(logging.WARNING)
    assert logging.getLogger("kivy").isEnabledFor(logging.INFO)


def test_starting_kivy_prints_no_traceback(tmp_path):
    code = (
        "from kiosk.kivy_setup import configure_kivy; configure_kivy(fullscreen=False, "
        "headless=True); from kivy.core.window import Window; import kivy.input"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "KIVY_HOME": str(tmp_path / "kivy"),
        "SDL_VIDEODRIVER": "offscreen",
        "KIVY_NO_ARGS": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "MTDev" not in done.stdout + done.stderr
