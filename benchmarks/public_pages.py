"""The lobby display ``/wall`` and a public theme page ``/themes/<id>`` under load, beside
``/healthz`` on the same server in the same run.

Starts the real server (uvicorn, one worker, SQLite in a temporary folder) with the data of
:mod:`benchmarks.followup_page` (six themes with paths and updates, an event, ``--visits`` visits
with stories, a third of them approved) and loads ``/healthz``, ``/wall?site=<library>`` and
``/themes/<id>`` (cycling over the six themes) with ``--clients`` keep-alive HTTP/1.1 clients on
loopback, with the open-loop load generator of :mod:`benchmarks.followup_page` (latency counted
from each request's planned start: no coordinated omission). Target from issue 14: ``/wall``
and ``/themes/<id>`` at >= 25 % of the /healthz rate with p99 <= 100 ms.

Rows, the endpoints taking turns slice by slice so a burst of someone else's work on this shared
machine lands on all of them:

1. saturated (``--seconds`` per endpoint in ``--rounds`` slices): closed loop; its /healthz rate
   is the reference rate H. Latency here is clients / rate (Little's law), not the target's.
2. at 25 % of H (``--target-seconds`` per endpoint in ``--rounds`` slices): open loop at a total
   offered rate of 0.25 x H: the target asked directly. Met with p99 <= 100 ms, no error, no
   unanswered request and an achieved rate >= 90 % of the offered one.

The public pages are kept for 10 s per process (``sync.server.resources.public_cache``), as
deployed; so most answers are cache hits, and one request in each 10 s per URL builds the page.
What one build costs without the cache is measured in-process first (``build_ms``: median of
``--builds`` builds, the cache cleared before each) and printed above the table.

Returned dict (``python -m benchmarks public_pages`` writes it to bench-results/): the options,
``build_ms`` per page, one summary per endpoint and row (``healthz``, ``wall``, ``theme``, and
the same with ``_at_25``: requests, seconds, rps, p50/p95/p99_ms, errors, cpu_cores; open-loop
rows also offered_rps, achieved_vs_offered, unfinished, gen_lag_p99_ms), ``rate_at_25_rps``,
``<page>_vs_healthz`` (saturated rates) and ``meets_at_25`` per page.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.followup_page import (
    HEADER,
    P99_MAX_MS,
    TARGET_RATIO,
    _cells,
    _ingest,
    _open_loop,
    _phase,
    _prepare,
    _run_slice,
    _summary,
    _verdict,
)
from tests.support.servers import (
    free_port,
    start_process,
    stop_process,
    uvicorn_command,
    wait_until_healthy,
)

__all__ = ["main"]

SITE = "P%C3%A4%C3%A4kirjasto"  # the benchmark kiosk's library, Pääkirjasto
THEMES = [f"/themes/teema-{i}" for i in range(6)]


def _approve_some(engine) -> None:
    from sqlalchemy import update

    from sync.server.db.tables import records

    with engine.begin() as conn:
        ids = [
            r[0] for r in conn.execute(records.select().where(records.c.kind == "story")).all()[::3]
        ]
        conn.execute(update(records).where(records.c.id.in_(ids)).values(story_status="approved"))


def _build_cost(engine, data: Path, builds: int) -> dict[str, float]:
    """Median milliseconds to build each page in-process with the cache cleared each time."""
    from fastapi.testclient import TestClient

    from sync.server.app import create_app
    from sync.server.settings import Settings

    settings = Settings.load({"data_dir": str(data), "database_url": str(engine.url)}, env={})
    app = create_app(settings, engine)
    out = {}
    with TestClient(app) as client:
        for name, path in (("wall", f"/wall?site={SITE}"), ("theme", THEMES[1])):
            times = []
            for _ in range(builds):
                app.state.public_cache.clear()
                started = time.perf_counter()
                assert client.get(path).status_code == 200
                times.append((time.perf_counter() - started) * 1000)
            out[name] = round(statistics.median(times), 1)
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.public_pages", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0, help="Row 1: s per endpoint.")
    parser.add_argument("--target-seconds", type=float, default=10.0, help="Row 2: s per endpoint.")
    parser.add_argument("--rounds", type=int, default=5, help="Slices per endpoint and row.")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--visits", type=int, default=300)
    parser.add_argument("--builds", type=int, default=20)
    args = parser.parse_args(argv if argv is not None else [])
    with tempfile.TemporaryDirectory(prefix="kt-bench-public-") as tmp:
        data = Path(tmp)
        url, tokens, (engine, kiosk) = _prepare(data, args.visits)
        _ingest(engine, kiosk, tokens)
        _approve_some(engine)
        build_ms = _build_cost(engine, data, args.builds)
        engine.dispose()
        port = free_port()
        env = os.environ | {"KT_DATA_DIR": str(data), "KT_DATABASE_URL": url}
        log_path = data / "server.log"
        command = uvicorn_command(port, "--no-access-log")
        server = start_process(command, log_path, env)
        try:
            wait_until_healthy(f"http://127.0.0.1:{port}/healthz", server, log_path)
            pid = server.pid
            targets = {
                "healthz": ["/healthz"],
                "wall": [f"/wall?site={SITE}"],
                "theme": THEMES,
            }
            for paths in targets.values():
                asyncio.run(_phase("127.0.0.1", port, paths, args.clients, args.warmup))
            slices: dict[str, list[dict]] = {}
            piece = args.seconds / args.rounds
            for _ in range(args.rounds):
                for name, paths in targets.items():
                    phase = _phase("127.0.0.1", port, paths, args.clients, piece)
                    slices.setdefault(name, []).append(_run_slice(pid, phase))
            reference = _summary(slices["healthz"])["rps"]
            if reference <= 0:
                raise RuntimeError("/healthz answered nothing in the saturated phase")
            rate = TARGET_RATIO * reference
            piece = args.target_seconds / args.rounds
            for _ in range(args.rounds):
                for name, paths in targets.items():
                    loop = _open_loop("127.0.0.1", port, paths, args.clients, piece, rate)
                    slices.setdefault(name + "_at_25", []).append(_run_slice(pid, loop))
        finally:
            stop_process(server)
    phases = {name: _summary(parts) for name, parts in slices.items()}
    result: dict = {
        "clients": args.clients,
        "seconds": args.seconds,
        "target_seconds": args.target_seconds,
        "rounds": args.rounds,
        "visits": args.visits,
        "build_ms": build_ms,
        **phases,
        "rate_at_25_rps": round(rate, 1),
        "targets": {"ratio_min": TARGET_RATIO, "p99_max_ms": P99_MAX_MS},
    }
    for page in ("wall", "theme"):
        result[f"{page}_vs_healthz"] = round(phases[page]["rps"] / reference, 3)
        result[f"meets_at_25_{page}"] = _verdict(phases[page + "_at_25"]) is None
    _print_table(result)
    return result


def _print_table(r: dict) -> None:
    print(
        f"\nPublic pages vs /healthz: {r['clients']} keep-alive clients on loopback, one uvicorn "
        f"worker, SQLite, {r['visits']} visits, pages kept 10 s per process (as deployed)"
    )
    print(
        f"  one build without the cache: /wall {r['build_ms']['wall']:.1f} ms, /themes/<id> "
        f"{r['build_ms']['theme']:.1f} ms (median, in-process)"
    )
    print(f"  at 25% H = open loop at {r['rate_at_25_rps']:.1f} req/s offered")
    print(f"{'endpoint':<14} {'load':<10} {HEADER}")
    names = {"healthz": "/healthz", "wall": "/wall?site=", "theme": "/themes/<id>"}
    for suffix, load in (("", "saturated"), ("_at_25", "at 25% H")):
        for key, name in names.items():
            p = r[key + suffix]
            offered = f"{p['offered_rps']:.1f}" if "offered_rps" in p else "-"
            print(f"{name:<14} {load:<10} {_cells(p, offered)}")
    for page in ("wall", "theme"):
        row = r[page + "_at_25"]
        reason = _verdict(row)
        print(
            f"{names[page]}: saturated rate {r[page + '_vs_healthz']:.0%} of /healthz; at 25% H "
            f"served {row['rps']:.1f} of {row['offered_rps']:.1f} req/s, p99 {row['p99_ms']:.1f} "
            f"ms: target " + ("met" if reason is None else f"NOT met ({reason})")
        )


if __name__ == "__main__":
    main(sys.argv[1:])
