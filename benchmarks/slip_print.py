"""UI frame gaps while a slow printer prints a slip, beside an idle baseline in the same run.

In one fresh child process the kiosk runs headless on the thanks screen of a finished visit and
draws frames back to back (each frame waits for the GL driver, ``glFinish``), recording the time
between consecutive frames. Baseline: the same for ``--seconds`` without printing. Printing:
"Print slip" is tapped and frames are drawn until the slip is done; the printer is a real
python-escpos file printer whose first write sleeps 2 s (a printer waking up or a slow link), so
the whole slip (rendering the QR picture, encoding, writing) runs in the printing thread while
the UI draws. Target: no frame gap above 50 ms while printing.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from benchmarks._kiosk_common import percentile, run_child, settings, table

TARGET_MAX_GAP_MS = 50.0
PRINTER_SLEEP_S = 2.0


def _slow_opener(path: str):
    from kiosk.slip.printer import open_printer

    def opener(connection):
        device = open_printer(connection)
        raw = device._raw
        slept = []

        def slow_raw(msg: bytes) -> None:
            if not slept:
                slept.append(True)
                time.sleep(PRINTER_SLEEP_S)
            raw(msg)

        device._raw = slow_raw
        return device

    return opener


def _gaps(kiosk, until) -> list[float]:
    gaps = []
    kiosk.draw_now()
    last = time.perf_counter()
    while not until():
        kiosk.draw_now()
        now = time.perf_counter()
        gaps.append((now - last) * 1000)
        last = now
    return gaps


def _child(seconds: float) -> dict:
    from kiosk.headless import HeadlessKiosk
    from kiosk.slip.printer import SlipPrinter, parse_connection

    with tempfile.TemporaryDirectory() as tmp:
        kiosk = HeadlessKiosk(settings(tmp + "/data"))
        out = f"{tmp}/slip.bin"
        kiosk.app.slip_printer = SlipPrinter(
            parse_connection(f"file:{out}"), opener=_slow_opener(out)
        )
        kiosk.app.slip_printer.warm_up()  # as the app does 2 s after it starts
        thanks = kiosk.screen("thanks")
        thanks.can_print = True
        app = kiosk.app
        app.recorder.save_rating(3, "fi")
        app.recorder.save_themes([t.id for t in app.content().themes[:2]], "fi")
        app.flow.show("thanks")
        kiosk.pump(4)
        end = time.perf_counter() + seconds
        idle = _gaps(kiosk, lambda: time.perf_counter() >= end)
        started = time.perf_counter()
        kiosk.tap(thanks.ids.print_slip, frames=0)
        printing = _gaps(kiosk, lambda: thanks.print_state in ("done", "failed"))
        took = time.perf_counter() - started
        state = thanks.print_state
        size = Path(out).stat().st_size
        kiosk.close()
    return {
        "idle_ms": idle,
        "printing_ms": printing,
        "print_seconds": took,
        "state": state,
        "bytes": size,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.slip_print")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of the idle baseline")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.seconds)))
        return {}
    raw = run_child("benchmarks.slip_print", ["--seconds", str(args.seconds)])
    result: dict = {"target_max_gap_ms": TARGET_MAX_GAP_MS, "printer_sleep_s": PRINTER_SLEEP_S}
    rows = []
    for name, key in (("idle (no printing)", "idle_ms"), ("slow printer printing", "printing_ms")):
        values = raw[key]
        p50, p99 = percentile(values, 50), percentile(values, 99)
        rows.append([name, f"{p50:.1f}", f"{p99:.1f}", f"{max(values):.1f}", str(len(values))])
        result[key.removesuffix("_ms")] = {"p50_ms": p50, "p99_ms": p99, "max_ms": max(values)}
    print(table(["what", "gap p50 ms", "gap p99 ms", "max gap ms", "frames"], rows))
    p = result["printing"]
    print(
        f"while printing: max frame gap {p['max_ms']:.1f} ms (target <= {TARGET_MAX_GAP_MS:.0f} ms);"
        f" slip {raw['state']} in {raw['print_seconds']:.1f} s, {raw['bytes']} bytes"
    )
    result.update(state=raw["state"], print_seconds=raw["print_seconds"], bytes=raw["bytes"])
    return result


if __name__ == "__main__":
    main()
