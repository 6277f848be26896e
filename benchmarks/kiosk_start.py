"""Cold start to the attract screen drawn, beside a bare Kivy window's start, same run.

Each sample is a fresh Python process, timed from spawn until it prints "ready": for the bare
window after Kivy's window opened and drew one frame with one label; for the kiosk after the
app was built (store opened, demo content loaded, every screen created) and the attract screen
was drawn (``glFinish``). Runs alternate so both see the same machine load; medians are compared.
Target: kiosk <= 2x bare.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks._kiosk_common import child_env, table

TARGET_RATIO = 2.0

BARE = """
from kiosk.kivy_setup import configure_kivy
configure_kivy(fullscreen=False, headless=True)
from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.uix.label import Label
from kivy.graphics.opengl import glFinish
EventLoop.ensure_window()
Window.add_widget(Label(text="Käyttäjätori", font_size=48))
EventLoop.idle()
glFinish()
print("ready", flush=True)
"""

KIOSK = """
import sys
from benchmarks._kiosk_common import settings
from kiosk.headless import HeadlessKiosk
kiosk = HeadlessKiosk(settings(sys.argv[1]), build_all=False)
assert kiosk.current == "attract"
kiosk.draw_now()
print("ready", flush=True)
kiosk.close()
kiosk.app.store.close()
"""


def _time(script: str, *args: str) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("ready"):
            elapsed = time.perf_counter() - started
            break
    else:
        raise RuntimeError(f"start failed: {proc.stderr.read()[-2000:] if proc.stderr else ''}")
    proc.wait(timeout=60)
    return elapsed


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.kiosk_start")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    bare, kiosk = [], []
    for _ in range(args.runs):
        bare.append(_time(BARE))
        with tempfile.TemporaryDirectory() as tmp:
            kiosk.append(_time(KIOSK, tmp + "/data"))
    rows = []
    for name, values in (("bare Kivy window + label", bare), ("kiosk to attract drawn", kiosk)):
        rows.append(
            [name, f"{statistics.median(values):.2f}", f"{min(values):.2f}", f"{max(values):.2f}"]
        )
    print(table(["what", "median s", "min s", "max s"], rows))
    ratio = statistics.median(kiosk) / statistics.median(bare)
    print(f"kiosk cold start {ratio:.2f}x the bare window (target <= {TARGET_RATIO:.0f}x)")
    return {
        "runs": args.runs,
        "bare_s": bare,
        "kiosk_s": kiosk,
        "bare_median_s": statistics.median(bare),
        "kiosk_median_s": statistics.median(kiosk),
        "ratio": ratio,
        "target_ratio": TARGET_RATIO,
    }


if __name__ == "__main__":
    main()
