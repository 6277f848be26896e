"""Run benchmarks: ``python -m benchmarks [name ...]``.

Each name is a module ``benchmarks/<name>.py`` with ``main(argv) -> dict``; it is called with no
arguments (``main([])``), prints its own table, and its dict is written to
``bench-results/<name>.json`` at the repository root. With no names, every module in this folder
runs (except this runner). A benchmark that raises is reported and the others still run; the exit
status is then 1. Options of one benchmark: ``python -m benchmarks.<name> --help``.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(os.path.dirname(HERE), "bench-results")


def available() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules([HERE])
        if not info.name.startswith("_") and not info.ispkg
    )


def main(argv: list[str] | None = None) -> int:
    names = list(sys.argv[1:] if argv is None else argv) or available()
    unknown = [n for n in names if n not in available()]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available())}")
        return 2
    os.makedirs(RESULTS, exist_ok=True)
    failed = []
    for name in names:
        print(f"== benchmarks.{name}", flush=True)
        started = time.monotonic()
        try:
            result = importlib.import_module(f"benchmarks.{name}").main([])
        except Exception:
            traceback.print_exc()
            failed.append(name)
            continue
        path = os.path.join(RESULTS, f"{name}.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2, ensure_ascii=False, default=str)
            handle.write("\n")
        print(f"== {name}: {time.monotonic() - started:.1f} s, wrote {path}", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
