"""Drain a 10,000-record backlog to a local kiosk-server (SQLite), and what the UI thread feels.

Measured in one run, against one real ``kiosk-server serve`` process on loopback:

1. *Drain*: ``SyncClient.drain_once()`` on a background thread empties a real ``LocalStore``
   holding the backlog (signed batches of 500, ``mark_synced`` durable after each ack).
2. *Baseline throughput*: the same number of records as pre-built, pre-signed batches POSTed
   back to back by another process with no store at all: what the server and loopback allow.
3. *UI thread*: a bare headless Kivy app (offscreen window, 60 fps cap) whose Clock callback
   records the gap between frames in three phases: idle; while the baseline process of (2)
   keeps the server (and so this shared machine) busy, with no sync in the app's process; and
   while the drain of (1) runs on a thread of the app's process. Every 0.25 s a frame also saves
   a record on the UI thread, as a visitor's tap does, and that save's duration is recorded:
   the store is shared with the drain.

The backlog is written without fsync (setup, not measured) and flushed with one ``os.sync()``;
the drain itself uses the store's normal durable writes. Targets (issue 5): >= 2,000 records/s,
and no frame gap over 50 ms caused by sync (compare "during drain" with "server busy").

``python -m benchmarks.sync_drain [--records N] [--idle-seconds S]``
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import types
import uuid
from pathlib import Path
from typing import Any

from tests.support.servers import (
    SERVER_CLI,
    free_port,
    start_process,
    stop_process,
    wait_until_healthy,
)

__all__ = ["main"]

SAVE_EVERY = 0.25  # seconds between simulated visitor saves on the UI thread


class _Server:
    """``kiosk-server init`` + ``serve`` on a free loopback port, stopped by :meth:`stop`."""

    def __init__(self, data_dir: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(
            os.environ, KT_DATA_DIR=data_dir, KT_HOST="127.0.0.1", KT_PORT=str(self.port)
        )
        self.env.pop("KT_DATABASE_URL", None)
        self.data_dir = data_dir
        subprocess.run([*SERVER_CLI, "init"], env=self.env, check=True, capture_output=True)
        self.log = os.path.join(data_dir, "serve.log")
        self.process = start_process([*SERVER_CLI, "serve"], Path(self.log), self.env)
        wait_until_healthy(self.url, self.process, Path(self.log), healthy=lambda s: s < 500)

    def enroll(self, kiosk_id: str) -> str:
        from sync.server.db.engine import make_engine
        from sync.server.db.kiosks import enroll_kiosk
        from sync.server.settings import Settings

        url = Settings.load({"data_dir": self.data_dir}, env={}).resolved_database_url
        engine = make_engine(url)
        try:
            return enroll_kiosk(engine, kiosk_id, "benchmark", kiosk_id=kiosk_id).secret
        finally:
            engine.dispose()

    def stop(self) -> None:
        stop_process(self.process)


def _record(kiosk_id: str, rng: random.Random) -> dict[str, Any]:
    from sync.protocol import new_follow_up_token, utc_now_iso

    kind = rng.choice(("rating", "rating", "themes", "story"))
    record: dict[str, Any] = {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "visit_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "created_at": utc_now_iso(),
        "kiosk_id": kiosk_id,
        "event_id": "kayttajatori-2026-11",
        "kind": kind,
        "lang": rng.choice(("fi", "sv", "en")),
        "follow_up_token": new_follow_up_token(),
    }
    if kind == "rating":
        record["rating"] = rng.randint(1, 4)
    elif kind == "themes":
        record["theme_ids"] = rng.sample(["liikenne", "kulttuuri", "nuoret", "seniorit"], 2)
    else:
        record["story"] = "Tori elää talvellakin, ja pyöräteitä tarvitaan lisää keskustaan."
    return record


def _fill_store(data_dir: str, kiosk_id: str, count: int) -> None:
    """The backlog, written without fsync (setup only), then flushed once."""
    from kiosk.store import LocalStore
    from kiosk.store import fileio as real_fileio

    fast = types.SimpleNamespace(
        **{name: getattr(real_fileio, name) for name in real_fileio.__all__}
    )
    fast.fsync_file = fast.fsync_dir = lambda _path: None
    rng = random.Random(2026)
    store = LocalStore(data_dir, fileio=fast)
    try:
        for _ in range(count):
            store.save(_record(kiosk_id, rng))
    finally:
        store.close()
    os.sync()


def _raw_post(url: str, kiosk_id: str, secret: str, count: int) -> float:
    """Seconds to POST ``count`` records as pre-built signed batches, no store involved."""
    import httpx

    from sync.batches import pack_batch
    from sync.protocol import BATCHES_PATH, signature_headers

    rng = random.Random(7)
    records = [_record(kiosk_id, rng) for _ in range(count)]
    batches = []
    while records:
        batch = pack_batch(records)
        batches.append(batch)
        records = records[len(batch.ids) :]
    with httpx.Client(base_url=url, timeout=60) as http:
        started = time.perf_counter()
        for batch in batches:
            headers = signature_headers(
                kiosk_id, secret, "POST", BATCHES_PATH, batch.body, int(time.time())
            )
            headers["Content-Type"] = "application/json"
            response = http.post(BATCHES_PATH, content=batch.body, headers=headers)
            if response.status_code != 201:
                raise RuntimeError(
                    f"baseline batch refused: {response.status_code} {response.text}"
                )
        return time.perf_counter() - started


def _raw_post_process(server: _Server, count: int) -> subprocess.Popen:
    """The raw baseline in *another* process: the machine and the server work as hard as during
    the drain, but nothing of sync runs in the process whose frames are measured."""
    kiosk_id = "bench-raw"
    secret = server.enroll(kiosk_id)
    args = ["--raw-post", server.url, kiosk_id, secret, str(count)]
    return subprocess.Popen(
        [sys.executable, "-m", "benchmarks.sync_drain", *args], stdout=subprocess.PIPE, text=True
    )


def _frame_gaps(idle_seconds: float, start_raw: Any, drain: Any, save: Any) -> dict[str, Any]:
    """Run a bare headless Kivy app and record the gaps between its frames in three phases:
    idle; while ``start_raw()``'s process loads the server; while ``drain()`` runs on a thread.
    Every ``SAVE_EVERY`` seconds a frame calls ``save()`` as a visitor's tap would, on the UI
    thread, and its duration is recorded: the store is shared with the drain."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    from kivy.config import Config

    Config.set("graphics", "width", "480")
    Config.set("graphics", "height", "320")
    Config.set("graphics", "maxfps", "60")
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.uix.label import Label

    gaps: dict[str, list[float]] = {"idle": [], "server_busy": [], "drain": []}
    saves: dict[str, list[float]] = {"idle": [], "server_busy": [], "drain": []}
    state: dict[str, Any] = {
        "phase": "warmup",
        "last": None,
        "since": None,
        "raw": None,
        "next_save": 0.0,
    }
    done = threading.Event()
    # Garbage-collector pauses hold the GIL whichever thread triggers them: recorded per phase
    # so a long frame gap can be told apart from the store's or the client's own work.
    gc_pauses: dict[str, list[float]] = {"idle": [], "server_busy": [], "drain": []}
    gc_started: dict[int, float] = {}

    def on_gc(event: str, info: dict[str, Any]) -> None:
        if event == "start":
            gc_started[info["generation"]] = time.perf_counter()
        elif info["generation"] in gc_started and state["phase"] in gc_pauses:
            started = gc_started.pop(info["generation"])
            gc_pauses[state["phase"]].append(time.perf_counter() - started)

    def run_drain() -> None:
        try:
            drain()
        finally:
            done.set()

    class FrameGapApp(App):
        def build(self) -> Label:
            return Label(text="sync drain benchmark")

        def on_start(self) -> None:
            # As the kiosk app does once its screens are built (kiosk.heap).
            from kiosk.heap import freeze_startup_objects

            freeze_startup_objects()
            Clock.schedule_interval(self.frame, 0)

        def frame(self, _dt: float) -> None:
            now = time.perf_counter()
            last, state["last"] = state["last"], now
            phase = state["phase"]
            if phase == "warmup":
                state["phase"], state["since"] = "idle", now
                return
            gaps[phase].append(now - last)
            if now >= state["next_save"]:
                save()
                saves[phase].append(time.perf_counter() - now)
                # the save's own time is not a frame gap caused by sync: start the next gap after it
                state["last"], state["next_save"] = time.perf_counter(), now + SAVE_EVERY
            if phase == "idle" and now - state["since"] >= idle_seconds:
                state["phase"], state["raw"] = "server_busy", start_raw()
            elif phase == "server_busy" and state["raw"].poll() is not None:
                state["phase"] = "drain"
                threading.Thread(target=run_drain, name="bench-drain", daemon=True).start()
            elif phase == "drain" and done.is_set():
                self.stop()

    gc.callbacks.append(on_gc)
    try:
        FrameGapApp().run()
    finally:
        gc.callbacks.remove(on_gc)
    raw = state["raw"]
    out, _ = raw.communicate()
    if raw.returncode != 0:
        raise RuntimeError("the raw-POST baseline process failed")
    return {
        "gaps": gaps,
        "saves": saves,
        "gc": gc_pauses,
        "raw_seconds": float(out.strip().splitlines()[-1]),
    }


def _gap_row(name: str, values: list[float]) -> dict[str, Any]:
    ms = sorted(v * 1000 for v in values)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))] if ms else 0.0
    return {
        "phase": name,
        "frames": len(ms),
        "median_ms": round(statistics.median(ms), 1) if ms else 0.0,
        "p99_ms": round(p99, 1),
        "max_ms": round(ms[-1], 1) if ms else 0.0,
        "gaps_over_50ms": sum(1 for v in ms if v > 50),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sync_drain")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--idle-seconds", type=float, default=3.0)
    parser.add_argument(
        "--raw-post", nargs=4, metavar=("URL", "KIOSK", "SECRET", "N"), help=argparse.SUPPRESS
    )  # the baseline's own process
    args = parser.parse_args(argv)
    if args.raw_post:
        url, kiosk_id, secret, count = args.raw_post
        print(_raw_post(url, kiosk_id, secret, int(count)))
        return {}

    from kiosk.store import LocalStore
    from sync.client import SyncClient

    work = tempfile.mkdtemp(prefix="kt-bench-sync-")
    server = _Server(os.path.join(work, "server"))
    try:
        kiosk_id = "bench-kiosk"
        secret = server.enroll(kiosk_id)
        store_dir = os.path.join(work, "kiosk")
        _fill_store(store_dir, kiosk_id, args.records)
        store = LocalStore(store_dir)
        client = SyncClient(store, server.url, kiosk_id, secret, timeout=60)
        result: dict[str, Any] = {}
        rng = random.Random(11)

        def drain() -> None:
            started = time.perf_counter()
            result["report"] = client.drain_once()
            result["seconds"] = time.perf_counter() - started

        try:
            measured = _frame_gaps(
                args.idle_seconds,
                lambda: _raw_post_process(server, args.records),
                drain,
                lambda: store.save(_record(kiosk_id, rng)),
            )
            client.drain_once()  # what visitors saved after the drain's last look (not timed)
            left = store.counts()["pending"]
        finally:
            client.close()
            store.close()
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    report = result["report"]
    if report.problem is not None or left:
        raise RuntimeError(f"drain incomplete: {left} left, {report.problem}")

    gaps, raw_seconds = measured["gaps"], measured["raw_seconds"]
    drain_rate = report.acknowledged / result["seconds"]
    raw_rate = args.records / raw_seconds
    names = {
        "idle": "idle (baseline)",
        "server_busy": "server busy, no sync here (baseline)",
        "drain": "during drain",
    }
    rows = [_gap_row(names[key], gaps[key]) for key in names]
    save_rows = [_gap_row(names[key], measured["saves"][key]) for key in names]
    print(f"sync drain: {args.records:,}-record backlog to a local kiosk-server (SQLite)")
    print(f"{'':42}{'records':>9}{'seconds':>9}{'records/s':>11}")
    print(
        f"{'kiosk drain (SyncClient + LocalStore)':42}{report.acknowledged:>9}"
        f"{result['seconds']:>9.2f}{drain_rate:>11.0f}"
    )
    print(
        f"{'baseline: raw signed POSTs, no store':42}{args.records:>9}"
        f"{raw_seconds:>9.2f}{raw_rate:>11.0f}"
    )
    print("target: >= 2000 records/s")
    print()
    print("UI thread frame gaps (bare headless Kivy app, 60 fps cap)")
    print(f"{'phase':38}{'frames':>7}{'median ms':>11}{'p99 ms':>8}{'max ms':>8}{'>50 ms':>8}")
    for row in rows:
        print(
            f"{row['phase']:38}{row['frames']:>7}{row['median_ms']:>11}{row['p99_ms']:>8}"
            f"{row['max_ms']:>8}{row['gaps_over_50ms']:>8}"
        )
    print("target: no frame gap > 50 ms caused by sync")
    print()
    print(f"visitor saves on the UI thread, one every {SAVE_EVERY} s (LocalStore.save, durable)")
    print(f"{'phase':38}{'saves':>7}{'median ms':>11}{'p99 ms':>8}{'max ms':>8}{'>50 ms':>8}")
    for row in save_rows:
        print(
            f"{row['phase']:38}{row['frames']:>7}{row['median_ms']:>11}{row['p99_ms']:>8}"
            f"{row['max_ms']:>8}{row['gaps_over_50ms']:>8}"
        )
    gc_rows = [_gap_row(names[key], measured["gc"][key]) for key in names]
    print()
    print("garbage-collector pauses in the kiosk process (they hold the GIL, any thread)")
    print(f"{'phase':38}{'pauses':>7}{'median ms':>11}{'p99 ms':>8}{'max ms':>8}{'>50 ms':>8}")
    for row in gc_rows:
        print(
            f"{row['phase']:38}{row['frames']:>7}{row['median_ms']:>11}{row['p99_ms']:>8}"
            f"{row['max_ms']:>8}{row['gaps_over_50ms']:>8}"
        )
    return {
        "gc_pauses": gc_rows,
        "records": args.records,
        "batches": len(report.batches),
        "drain_seconds": round(result["seconds"], 3),
        "drain_records_per_second": round(drain_rate, 1),
        "baseline_raw_post_seconds": round(raw_seconds, 3),
        "baseline_raw_post_records_per_second": round(raw_rate, 1),
        "frame_gaps": rows,
        "ui_thread_saves": save_rows,
    }


if __name__ == "__main__":
    main()
