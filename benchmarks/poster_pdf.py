"""How long a theme poster PDF takes (target: <= 2 s), beside a trivial WeasyPrint document.

A migrated SQLite database with six themes (velho, five steps, four updates) and ``--visits``
visits a few months back is built in a temporary folder; then, in the same process,
:func:`sync.server.printables.poster_pdf` renders the A3 poster ``--runs`` times and a one-line
HTML document goes through WeasyPrint as many times (the floor any PDF here pays). The first
run of each warms WeasyPrint's fonts and is left out of the table. Also times the event report.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks._kiosk_common import percentile, table
from benchmarks.followup_page import _ingest, _prepare

TARGET_S = 2.0


def _timed(func, runs: int) -> list[float]:
    func()  # warm-up: fonts, templates
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        out.append(time.perf_counter() - started)
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.poster_pdf")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--visits", type=int, default=600)
    args = parser.parse_args(argv)
    from datetime import date

    from sync.protocol import new_follow_up_token
    from sync.server.printables import html_to_pdf, poster_pdf, report_pdf
    from sync.server.resources.rendering import PageRenderer
    from sync.server.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        url, _tokens, (engine, kiosk) = _prepare(data, 0)
        _ingest(engine, kiosk, [new_follow_up_token() for _ in range(args.visits)])
        settings = Settings.load({"data_dir": folder, "database_url": url}, env={})
        pages = PageRenderer(settings.display_timezone)
        today = date.today()
        trivial = _timed(lambda: html_to_pdf("<p>Hei</p>"), args.runs)
        poster = _timed(
            lambda: poster_pdf(engine, pages, settings, "teema-0", lang="fi", today=today),
            args.runs,
        )
        report = _timed(
            lambda: report_pdf(engine, pages, settings, "bench-event", lang="fi", today=today),
            args.runs,
        )
        engine.dispose()
    rows = []
    result: dict = {"target_s": TARGET_S, "runs": args.runs, "visits": args.visits}
    for name, values in (
        ("trivial WeasyPrint document", trivial),
        ("theme poster (A3)", poster),
        ("event report (6 themes)", report),
    ):
        p50, worst = percentile(values, 50), max(values)
        rows.append([name, f"{p50:.3f}", f"{worst:.3f}", str(len(values))])
        result[name] = {"p50_s": p50, "max_s": worst}
    print(table(["what", "p50 s", "max s", "runs"], rows))
    print(f"poster max {max(poster):.2f} s (target <= {TARGET_S:.0f} s)")
    return result


if __name__ == "__main__":
    main()
