"""The public follow-up page under load, beside /healthz on the same server in the same run.

Starts the real server (uvicorn, one worker, SQLite in a temporary folder, demo themes and
``--visits`` ingested visits), then runs ``--clients`` concurrent keep-alive HTTP/1.1 clients on
loopback for ``--seconds`` against ``/healthz`` and then against ``/f/<token>`` (cycling over the
visits' tokens), and prints requests per second and latency percentiles for both. Targets from
issue 6: the follow-up page at >= 25 % of the /healthz rate, with p99 <= 100 ms.

The clients are raw asyncio streams (no HTTP library) so that the load generator, which shares
the machine's cores with the server, costs as little as possible. Every loop is bounded by time
and by a request cap. ``python -m benchmarks.followup_page --help`` lists the options.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

__all__ = ["main"]

MAX_REQUESTS_PER_PHASE = 2_000_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare(data: Path, visits: int) -> tuple[str, list[str], object]:
    """Migrated SQLite database with demo themes, an event, a kiosk and ``visits`` visits."""
    from datetime import UTC, date, datetime, timedelta

    from sqlalchemy import insert

    from sync.protocol import new_follow_up_token
    from sync.server.db.engine import default_sqlite_url, make_engine
    from sync.server.db.kiosks import enroll_kiosk
    from sync.server.db.migrate import upgrade
    from sync.server.db.tables import events, theme_steps, theme_updates, themes

    url = default_sqlite_url(data)
    engine = make_engine(url)
    upgrade(engine)
    kiosk = enroll_kiosk(engine, "Bench 1", "Pääkirjasto")
    today, now = date.today(), datetime.now(UTC)
    with engine.begin() as conn:
        for i in range(6):
            conn.execute(
                insert(themes).values(
                    id=f"teema-{i}",
                    name_fi=f"Teema {i}",
                    name_sv=f"Tema {i}",
                    name_en=f"Theme {i}",
                    velho_name=f"Velho {i}",
                    velho_role_fi="suunnittelija",
                    velho_contact="v@example.fi",
                    velho_contact_public=True,
                    sort_order=i,
                    active=True,
                    updated_at=now,
                )
            )
            for s in range(5):
                conn.execute(
                    insert(theme_steps).values(
                        theme_id=f"teema-{i}",
                        step_date=today + timedelta(days=70 * s - 70),
                        title_fi=f"Vaihe {s}",
                        title_sv=f"Steg {s}",
                        title_en=f"Step {s}",
                        done=s < 2,
                    )
                )
            for u in range(4):
                conn.execute(
                    insert(theme_updates).values(
                        theme_id=f"teema-{i}",
                        update_date=today - timedelta(days=10 * u),
                        text_fi=f"Päivitys {u}: asiat etenevät.",
                        text_sv="Det går framåt.",
                        text_en="Things move on.",
                        created_at=now,
                        created_by="bench",
                    )
                )
        conn.execute(
            insert(events).values(
                id="bench-event",
                name_fi="Käyttäjätori",
                event_date=today + timedelta(days=14),
                location="Pääkirjasto",
                question_fi="Miltä Mikkeli näyttää?",
                active=True,
            )
        )
    tokens = [new_follow_up_token() for _ in range(visits)]
    return url, tokens, (engine, kiosk)


def _ingest(engine, kiosk, tokens: list[str]) -> None:
    from sync.protocol import canonical_json
    from sync.server.db.ingest import parse_batch, store_batch

    created = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
    records = []
    for n, token in enumerate(tokens):
        visit = str(uuid.uuid4())
        base = {
            "visit_id": visit,
            "created_at": created,
            "kiosk_id": kiosk.kiosk_id,
            "event_id": "bench-event",
            "lang": "fi",
            "follow_up_token": token,
        }
        records.append(base | {"id": str(uuid.uuid4()), "kind": "rating", "rating": n % 4 + 1})
        records.append(
            base
            | {
                "id": str(uuid.uuid4()),
                "kind": "themes",
                "theme_ids": [f"teema-{n % 6}", f"teema-{(n + 1) % 6}"],
            }
        )
        records.append(
            base
            | {
                "id": str(uuid.uuid4()),
                "kind": "story",
                "story": "Tori elää talvellakin, lisää penkkejä!",
            }
        )
    for start in range(0, len(records), 450):
        body = canonical_json(
            {"batch_id": str(uuid.uuid4()), "records": records[start : start + 450]}
        )
        store_batch(engine, parse_batch(body, kiosk.kiosk_id), kiosk.kiosk_id)


async def _client(host, port, paths, deadline, latencies, errors, counter, schedule) -> None:
    """One keep-alive connection. ``schedule`` is None for back-to-back requests (saturation),
    else ``(first, interval)``: requests start at fixed times and latency counts from the planned
    start, so a slow answer that delays the next request is not hidden (coordinated omission)."""
    reader, writer = await asyncio.open_connection(host, port)
    index = 0
    try:
        while counter[0] < MAX_REQUESTS_PER_PHASE:
            if schedule is None:
                planned = time.perf_counter()
            else:
                planned = schedule[0] + index * schedule[1]
                delay = planned - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            if planned >= deadline:
                break
            path = paths[index % len(paths)]
            index += 1
            counter[0] += 1
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept-Language: fi\r\n\r\n".encode()
            )
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - planned)
            if status != 200:
                errors[0] += 1
    finally:
        writer.close()


async def _phase(
    host: str,
    port: int,
    paths: list[str],
    clients: int,
    seconds: float,
    interval: float | None = None,
) -> dict:
    latencies: list[float] = []
    errors, counter = [0], [0]
    started = time.perf_counter()
    deadline = started + seconds

    def schedule(i: int):
        # Paced clients start evenly spread over one interval.
        return None if interval is None else (started + i * interval / clients, interval)

    await asyncio.gather(
        *(
            _client(
                host,
                port,
                paths[i::clients] or paths,
                deadline,
                latencies,
                errors,
                counter,
                schedule(i),
            )
            for i in range(clients)
        )
    )
    return {"latencies": latencies, "errors": errors[0], "seconds": time.perf_counter() - started}


def _summary(slices: list[dict]) -> dict:
    latencies = sorted(x for s in slices for x in s["latencies"])
    elapsed = sum(s["seconds"] for s in slices)

    def pct(p: float) -> float:
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "rps": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(pct(0.50), 1),
        "p95_ms": round(pct(0.95), 1),
        "p99_ms": round(pct(0.99), 1),
        "errors": sum(s["errors"] for s in slices),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.followup_page", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--visits", type=int, default=300)
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="Slices per endpoint; the endpoints alternate slice by slice.",
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=1.0,
        help="Paced phase: seconds between one client's requests.",
    )
    args = parser.parse_args(argv if argv is not None else [])
    with tempfile.TemporaryDirectory(prefix="kt-bench-followup-") as tmp:
        data = Path(tmp)
        url, tokens, (engine, kiosk) = _prepare(data, args.visits)
        _ingest(engine, kiosk, tokens)
        engine.dispose()
        port = _free_port()
        env = os.environ | {"KT_DATA_DIR": str(data), "KT_DATABASE_URL": url}
        log = (data / "server.log").open("wb")
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "sync.server.app:create_app_from_env",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(port, server)
            targets = {"healthz": ["/healthz"], "followup": [f"/f/{t}" for t in tokens]}
            for paths in targets.values():
                asyncio.run(_phase("127.0.0.1", port, paths, args.clients, args.warmup))
            # The machine is shared: the two endpoints take turns in short slices, so a burst of
            # someone else's work lands on both instead of on whichever ran at that moment.
            slices: dict[str, list[dict]] = {}
            piece = args.seconds / args.rounds
            for interval, suffix in ((None, ""), (args.interval, "_paced")):
                for _ in range(args.rounds):
                    for name, paths in targets.items():
                        slices.setdefault(name + suffix, []).append(
                            asyncio.run(
                                _phase("127.0.0.1", port, paths, args.clients, piece, interval)
                            )
                        )
            phases = {name: _summary(parts) for name, parts in slices.items()}
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=5)
            log.close()
    health, page = phases["healthz"], phases["followup"]
    ratio = page["rps"] / health["rps"] if health["rps"] else 0.0
    result = {
        "clients": args.clients,
        "seconds": args.seconds,
        "visits": args.visits,
        "interval": args.interval,
        "rounds": args.rounds,
        **phases,
        "followup_vs_healthz": round(ratio, 3),
        "targets": {"ratio_min": 0.25, "p99_max_ms": 100.0},
        "meets_ratio": ratio >= 0.25,
        "meets_p99_saturated": page["p99_ms"] <= 100.0,
        "meets_p99_paced": phases["followup_paced"]["p99_ms"] <= 100.0,
    }
    _print_table(result)
    return result


def _wait_ready(port: int, server: subprocess.Popen) -> None:
    for _ in range(200):  # bounded: 20 s
        if server.poll() is not None:
            raise RuntimeError("the server exited before answering /healthz")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if sock.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not answer /healthz within 20 s")


def _print_table(r: dict) -> None:
    print(
        f"\nFollow-up page vs /healthz: {r['clients']} concurrent keep-alive clients, "
        f"{r['seconds']:.0f} s per row in {r['rounds']} slices (the endpoints take turns), "
        f"one uvicorn worker, SQLite, {r['visits']} visits"
    )
    print("saturated = each client sends its next request as soon as the answer arrives;")
    print(
        f"paced = each client sends one request every {r['interval']:g} s "
        f"({r['clients'] / r['interval']:.0f} req/s offered), latency from the planned start"
    )
    print(
        f"{'endpoint':<12} {'load':<10} {'requests':>9} {'req/s':>8} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"
    )
    for name, key in (("/healthz", "healthz"), ("/f/<token>", "followup")):
        for load, suffix in (("saturated", ""), ("paced", "_paced")):
            p = r[key + suffix]
            print(
                f"{name:<12} {load:<10} {p['requests']:>9} {p['rps']:>8.1f} {p['p50_ms']:>8.1f} "
                f"{p['p95_ms']:>8.1f} {p['p99_ms']:>8.1f} {p['errors']:>7}"
            )
    print(
        f"follow-up rate / healthz rate (saturated) = {r['followup_vs_healthz']:.0%} "
        f"(target >= 25%: {'met' if r['meets_ratio'] else 'NOT met'})"
    )
    print(
        f"follow-up p99: saturated {r['followup']['p99_ms']:.1f} ms, paced "
        f"{r['followup_paced']['p99_ms']:.1f} ms (target <= 100 ms: saturated "
        f"{'met' if r['meets_p99_saturated'] else 'NOT met'}, paced "
        f"{'met' if r['meets_p99_paced'] else 'NOT met'})"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
