"""``/healthz`` latency while staff log in: idle versus during ``--logins`` parallel logins.

Issue 10, reproduction 4: argon2 on the event loop let 25 parallel logins hold ``/healthz`` (and
every kiosk upload and follow-up page with it) for 1.8 s. Starts the real server (``kiosk-server
serve``, one worker, SQLite in a temporary folder, one staff account) and measures, in the same
run, ``/healthz`` from one keep-alive client sending its next request as soon as the answer
arrives:

1. idle: nothing else runs;
2. storm: meanwhile ``--logins`` threads each sign in again and again, each as its own staff
   account (login page, then the right password: every attempt is one argon2 check; attempts
   still being checked count against the throttle, so one account per thread keeps them apart).

The two phases alternate ``--rounds`` times (``--seconds`` each), so a burst of someone else's
work on a shared machine lands on both. Printed: a table of requests, p50, p99 and max per phase,
the logins done during the storm, and the p99 ratio storm / idle. Returned dict: the options,
``idle`` and ``storm`` (requests, p50_ms, p99_ms, max_ms), ``logins`` (count, errors, rps) and
``p99_ratio``. ``python -m benchmarks.login_storm --help`` lists the options.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

__all__ = ["main"]

USER, PASSWORD = "bench-staff", "bench-salasana-pitkä"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _summary(latencies: list[float]) -> dict[str, Any]:
    return {
        "requests": len(latencies),
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 2),
        "max_ms": round(max(latencies, default=float("nan")) * 1000, 2),
    }


def _healthz_for(client, seconds: float, out: list[float]) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.perf_counter()
        client.get("/healthz").raise_for_status()
        out.append(time.perf_counter() - started)


def _login_loop(base: str, user: str, stop: threading.Event, counts: dict[str, int], lock) -> None:
    import httpx

    with httpx.Client(base_url=base, timeout=60) as browser:
        while not stop.is_set():
            try:
                page = browser.get("/staff/login")
                match = re.search(r'name="csrf" value="([^"]+)"', page.text)
                assert match
                answer = browser.post(
                    "/staff/login",
                    data={"csrf": match.group(1), "username": user, "password": PASSWORD},
                    follow_redirects=False,
                )
                key = "count" if answer.status_code == 303 else f"status {answer.status_code}"
            except (httpx.HTTPError, AssertionError) as exc:
                key = type(exc).__name__
            with lock:
                counts[key] = counts.get(key, 0) + 1
            browser.cookies.clear()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.login_storm")
    parser.add_argument("--logins", type=int, default=20, help="parallel login threads")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of one phase")
    parser.add_argument("--rounds", type=int, default=3, help="idle/storm pairs")
    args = parser.parse_args(argv)

    import httpx

    from sync.server.db.engine import default_sqlite_url, make_engine
    from sync.server.db.migrate import upgrade
    from sync.server.db.staff_users import add_staff_user

    repo = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory(prefix="bench-login-") as tmp:
        data = Path(tmp) / "data"
        url = default_sqlite_url(data)
        engine = make_engine(url)
        upgrade(engine)
        for n in range(args.logins):
            add_staff_user(engine, f"{USER}-{n}", PASSWORD)
        engine.dispose()
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115 - closed below
        server = subprocess.Popen(
            [sys.executable, "-m", "sync.server.cli", "serve", "--data-dir", str(data)]
            + ["--database-url", url, "--port", str(port), "--workers", "1"],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=repo,
            env=dict(os.environ),
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError((Path(tmp) / "server.log").read_text())
                time.sleep(0.2)
            idle: list[float] = []
            storm: list[float] = []
            counts: dict[str, int] = {"count": 0}
            lock = threading.Lock()
            storm_seconds = 0.0
            with httpx.Client(base_url=base, timeout=60) as client:
                _healthz_for(client, 1.0, [])  # warm-up
                for _ in range(args.rounds):
                    _healthz_for(client, args.seconds, idle)
                    stop = threading.Event()
                    threads = [
                        threading.Thread(
                            target=_login_loop, args=(base, f"{USER}-{n}", stop, counts, lock)
                        )
                        for n in range(args.logins)
                    ]
                    for thread in threads:
                        thread.start()
                    time.sleep(0.3)  # every login thread under way
                    started = time.monotonic()
                    _healthz_for(client, args.seconds, storm)
                    storm_seconds += time.monotonic() - started
                    stop.set()
                    for thread in threads:
                        thread.join()
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()

    result: dict[str, Any] = {
        "options": vars(args),
        "idle": _summary(idle),
        "storm": _summary(storm),
        "logins": {
            "count": counts["count"],
            "errors": {k: v for k, v in counts.items() if k != "count"},
            "rps": round(counts["count"] / max(storm_seconds, 1e-9), 1),
        },
    }
    result["p99_ratio"] = round(result["storm"]["p99_ms"] / result["idle"]["p99_ms"], 2)
    print(f"/healthz on one worker, idle vs during {args.logins} parallel logins (same run)")
    print(f"{'phase':<8} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name in ("idle", "storm"):
        row = result[name]
        print(
            f"{name:<8} {row['requests']:>9} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f}"
            f" {row['max_ms']:>8.2f}"
        )
    print(
        f"logins during the storm: {counts['count']} ({result['logins']['rps']}/s), "
        f"errors {result['logins']['errors'] or 'none'}; p99 storm / idle = {result['p99_ratio']}"
    )
    return result


if __name__ == "__main__":
    main()
