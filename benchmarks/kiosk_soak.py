"""Memory over a simulated soak of 10,000 visits: RSS after warm-up and at the end.

One fresh child process runs the real app headless (real LocalStore on a temp folder, real
screens and flow) and drives visits through the same calls the buttons make: give feedback,
a face, one or two themes, a typed story on every fifth visit, the thank-you screen with its QR
code, back to the attract screen; every tenth visit walks away and is ended by the idle reset.
Each step advances the clock one frame (no drawing: memory, not pixels, is measured here). RSS
is read from /proc after ``--warmup`` visits and at the end. Target: growth <= 10%.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time

from benchmarks._kiosk_common import run_child, settings, table

TARGET_GROWTH = 0.10


def rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def _visit(kiosk, n: int, theme_ids: list[str]) -> None:
    app, flow = kiosk.app, kiosk.app.flow
    flow.start_feedback()
    kiosk.pump(1, draw=False)
    flow.rate(1 + n % 4)
    kiosk.pump(1, draw=False)
    themes = kiosk.screen("themes")
    for theme_id in theme_ids[n % 3 : n % 3 + 1 + n % 2]:
        themes.toggle(themes.chip(theme_id))
    themes.done()
    kiosk.pump(1, draw=False)
    story = kiosk.screen("story")
    if n % 5 == 0:
        story.type_text(f"Tarina {n}: tori eläväksi myös talvella")
        story.send()
    else:
        story.skip()
    kiosk.pump(1, draw=False)
    if n % 10 == 9:
        app.idle.idle_now()
        app.idle.expire()
    else:
        flow.finish()
    app.recorder.reset_repeat_window()
    kiosk.pump(1, draw=False)


def _child(visits: int, warmup: int) -> dict:
    import gc

    from kivy.config import Config

    from kiosk.headless import HeadlessKiosk, ensure_window

    ensure_window()
    Config.set("graphics", "maxfps", "0")  # no frame pacing: the soak is not about time
    from kivy.clock import Clock

    Clock._max_fps = 0
    with tempfile.TemporaryDirectory() as tmp:
        kiosk = HeadlessKiosk(settings(tmp + "/data"))
        theme_ids = [t.id for t in kiosk.app.content().themes]
        samples = []
        started = time.perf_counter()
        for n in range(visits):
            _visit(kiosk, n, theme_ids)
            if n + 1 == warmup or (n + 1) % 1000 == 0 or n + 1 == visits:
                gc.collect()
                samples.append((n + 1, rss_mib()))
        elapsed = time.perf_counter() - started
        counts = kiosk.app.store.counts()
        kiosk.close()
        kiosk.app.store.close()
    return {"samples": samples, "seconds": elapsed, "pending": counts["pending"]}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.kiosk_soak")
    parser.add_argument("--visits", type=int, default=10_000)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.visits, args.warmup)))
        return {}
    raw = run_child(
        "benchmarks.kiosk_soak", ["--visits", str(args.visits), "--warmup", str(args.warmup)]
    )
    samples = raw["samples"]
    base = next(rss for n, rss in samples if n == args.warmup)
    end = samples[-1][1]
    rows = [[str(n), f"{rss:.1f}", f"{(rss / base - 1) * 100:+.1f}%"] for n, rss in samples]
    print(table(["visits", "RSS MiB", "vs warm-up"], rows))
    growth = end / base - 1
    print(
        f"{args.visits} visits in {raw['seconds']:.0f} s, {raw['pending']} records stored; "
        f"RSS growth after warm-up {growth * 100:+.1f}% (target <= {TARGET_GROWTH * 100:.0f}%)"
    )
    return {
        "visits": args.visits,
        "warmup": args.warmup,
        "samples": samples,
        "rss_warmup_mib": base,
        "rss_end_mib": end,
        "growth": growth,
        "target_growth": TARGET_GROWTH,
        "seconds": raw["seconds"],
        "records": raw["pending"],
    }


if __name__ == "__main__":
    main()
