"""Shared by the kiosk benchmarks: run a measurement in a fresh process, percentiles, tables.

Kivy opens one window per process and the benchmark runner runs every benchmark in one process,
so each kiosk benchmark measures in a child process (``python -m benchmarks.<name> --child``)
that prints one JSON line, and the parent prints the table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("SDL_VIDEODRIVER", "offscreen")
    env.setdefault("KIVY_NO_ARGS", "1")
    env.setdefault("KIVY_NO_CONSOLELOG", "1")
    env.setdefault("KIVY_NO_FILELOG", "1")
    env.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kt-bench-kivy-"))
    return env


def run_child(
    module: str, args: list[str], timeout: float = 1800, env: dict[str, str] | None = None
) -> dict:
    """Run ``module --child ARGS`` in ``env`` (:func:`child_env` when None); its JSON line."""
    cmd = [sys.executable, "-m", module, "--child", *args]
    result = subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, env=env or child_env(), check=False
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{result.stderr[-3000:]}")
    return json.loads(lines[-1])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def settings(data_dir: str):
    from kiosk.settings import parse_settings

    return parse_settings(
        {
            "kiosk_id": "bench-kiosk",
            "data_dir": data_dir,
            "demo": True,
            "server": {"public_url": "http://127.0.0.1:8765"},
        }
    )
