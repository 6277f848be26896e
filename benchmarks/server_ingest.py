"""Server ingest: signed batches from concurrent clients to a real uvicorn server, beside a raw
SQLAlchemy ``executemany`` of the same rows into the same engine, measured in the same run.

``python -m benchmarks.server_ingest [--batches 200] [--records 500] [--clients 4]
[--workers 1] [--engines sqlite,postgresql]``. PostgreSQL runs when ``KT_TEST_POSTGRES_URL``
is set (``make bench`` sets it); each run uses its own fresh schema. Prints a table and returns
a JSON-able dict. The issue's target: SQLite ingest at >= 20% of the raw executemany rate.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import httpx
from sqlalchemy import create_engine, func, select, text

from sync.protocol import (
    canonical_json,
    new_follow_up_token,
    signature_headers,
    validate_record,
)
from sync.server.db.engine import default_sqlite_url, make_engine, write_connection
from sync.server.db.ingest import _record_row
from sync.server.db.kiosks import enroll_kiosk
from sync.server.db.migrate import upgrade
from sync.server.db.tables import batches, records
from tests.support.servers import free_port, running_server, serve_command

__all__ = ["main"]

KIOSK = "bench-kiosk-1"


def _records(n: int) -> list[dict]:
    out = []
    for i in range(n):
        visit = str(uuid.uuid4())
        kind = ("rating", "themes", "story")[i % 3]
        record = {
            "id": str(uuid.uuid4()),
            "visit_id": visit,
            "created_at": "2026-11-14T10:00:00.000000Z",
            "kiosk_id": KIOSK,
            "event_id": "kayttajatori-2026-11",
            "kind": kind,
            "lang": "fi",
            "follow_up_token": new_follow_up_token(),
        }
        if kind == "rating":
            record["rating"] = 1 + i % 4
        elif kind == "themes":
            record["theme_ids"] = ["liikenne", "kulttuuri"]
        else:
            record["story"] = "Kauppatori elää talvellakin, kun siellä on tapahtumia."
        out.append(record)
    return out


def _make_batches(count: int, per_batch: int) -> list[tuple[str, list[dict]]]:
    return [(str(uuid.uuid4()), _records(per_batch)) for _ in range(count)]


@contextmanager
def _database(kind: str, folder: Path, name: str):
    """A fresh database URL: a SQLite file, or a new schema in the throwaway PostgreSQL."""
    if kind == "sqlite":
        yield default_sqlite_url(folder / name)
        return
    base = os.environ["KT_TEST_POSTGRES_URL"]
    schema = f"bench_{name}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base}{'&' if '?' in base else '?'}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def _server(url: str, data_dir: Path, workers: int):
    port = free_port()
    env = dict(os.environ, KT_SIGNATURE_MAX_SKEW_SECONDS="300")
    command = serve_command(
        "--database-url",
        url,
        "--data-dir",
        str(data_dir),
        "--port",
        str(port),
        "--workers",
        str(workers),
    )
    log = data_dir / f"server-{port}.log"
    with running_server(command, port=port, log_path=log, env=env) as base:
        yield base


def _ingest(base: str, secret: str, plan, clients: int) -> dict:
    jobs: queue.Queue = queue.Queue()
    for batch_id, recs in plan:
        jobs.put(canonical_json({"batch_id": batch_id, "records": recs}))
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(base_url=base, timeout=120) as http:
            while True:
                try:
                    body = jobs.get_nowait()
                except queue.Empty:
                    return
                headers = signature_headers(
                    KIOSK, secret, "POST", "/api/v1/batches", body, int(time.time())
                )
                headers["Content-Type"] = "application/json"
                started = time.perf_counter()
                response = http.post("/api/v1/batches", content=body, headers=headers)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if response.status_code != 201:
                        failures.append(f"{response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} batches failed, e.g. {failures[0]}")
    latencies.sort()
    return {
        "seconds": wall,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }


def _raw_executemany(url: str, plan) -> float:
    """Seconds to insert the same rows with one executemany per batch, one commit each."""
    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    enroll_kiosk(engine, "Bench kiosk", "bench", kiosk_id=KIOSK)
    prepared = []
    for batch_id, recs in plan:
        # The very rows ingest would write (normalised the same way); preparing them is not timed.
        rows = [_record_row(validate_record(r), batch_id, now, lambda _t: False) for r in recs]
        prepared.append((batch_id, rows))
    with write_connection(engine) as conn:  # the batch rows the records point at, not timed
        conn.execute(
            batches.insert(),
            [
                {
                    "batch_id": b,
                    "kiosk_id": KIOSK,
                    "received_at": now,
                    "content_sha256": "-",
                    "record_count": len(rows),
                    "accepted": len(rows),
                    "duplicates": 0,
                    "source": "bench",
                }
                for b, rows in prepared
            ],
        )
    started = time.perf_counter()
    for _batch_id, rows in prepared:
        with write_connection(engine) as conn:
            conn.execute(records.insert(), rows)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def _run_engine(kind: str, plan, clients: int, workers: int, folder: Path) -> dict:
    total = sum(len(recs) for _, recs in plan)
    with _database(kind, folder, "server") as url:
        engine = make_engine(url)
        upgrade(engine)
        secret = enroll_kiosk(engine, "Bench kiosk", "bench", kiosk_id=KIOSK).secret
        with _server(url, folder, workers) as base:
            served = _ingest(base, secret, plan, clients)
        with engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(records)).scalar_one()
        engine.dispose()
        if stored != total:
            raise RuntimeError(f"{kind}: {stored} records stored, expected {total}")
    with _database(kind, folder, "raw") as url:
        raw_seconds = _raw_executemany(url, plan)
    ingest_rate, raw_rate = total / served["seconds"], total / raw_seconds
    return {
        "engine": kind,
        "records": total,
        "ingest_records_per_s": round(ingest_rate),
        "batch_p50_ms": round(served["p50_ms"], 1),
        "batch_p99_ms": round(served["p99_ms"], 1),
        "raw_executemany_records_per_s": round(raw_rate),
        "ingest_vs_raw": round(ingest_rate / raw_rate, 3),
    }


def _print_table(rows: list[dict], args) -> None:
    print(
        f"server ingest: {args.batches} batches x {args.records} records, {args.clients} signed "
        f"clients over loopback, uvicorn workers={args.workers}"
    )
    header = (
        f"{'engine':<11}{'ingest rec/s':>14}{'batch p50 ms':>14}{'batch p99 ms':>14}"
        f"{'raw executemany rec/s':>23}{'ingest/raw':>12}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['engine']:<11}{r['ingest_records_per_s']:>14}{r['batch_p50_ms']:>14}"
            f"{r['batch_p99_ms']:>14}{r['raw_executemany_records_per_s']:>23}"
            f"{r['ingest_vs_raw']:>11.1%}"
        )
    sqlite = next((r for r in rows if r["engine"] == "sqlite"), None)
    if sqlite:
        verdict = "meets" if sqlite["ingest_vs_raw"] >= 0.2 else "misses"
        print(
            f"SQLite ingest is {sqlite['ingest_vs_raw']:.1%} of raw executemany ({verdict} the 20% target)"
        )


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.server_ingest")
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    engines = [e for e in args.engines.split(",") if e]
    if "postgresql" in engines and not os.environ.get("KT_TEST_POSTGRES_URL"):
        print("KT_TEST_POSTGRES_URL is not set: PostgreSQL left out (make bench sets it)")
        engines.remove("postgresql")
    plan = _make_batches(args.batches, args.records)
    rows = []
    with tempfile.TemporaryDirectory(prefix="kt-bench-ingest-") as tmp:
        for kind in engines:
            (Path(tmp) / kind).mkdir()
            rows.append(_run_engine(kind, plan, args.clients, args.workers, Path(tmp) / kind))
    _print_table(rows, args)
    return {"params": vars(args), "results": rows}


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
