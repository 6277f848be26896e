"""Durable save latency of LocalStore with 1,000 / 10,000 / 100,000 records already stored.

Beside it, in the same run and interleaved with it: TinyDB's default ``JSONStorage`` (which
rewrites its whole file on every insert; it is stopped where one insert gets too slow) and a raw
``write`` + ``fsync`` of the same JSON line to an append-only file, the disk's own limit.

The machine is shared and noisy, so every round runs one save of every variant at every level in
a shuffled order: a burst of noise lands on all of them alike. Pre-filled data is written without
fsync and then flushed with one ``os.sync()`` before measuring, so no pending write-back of the
pre-fill is measured. Targets (from issue 2): p99 at 100,000 stored <= 1.3 x p99 at 1,000
stored, and every p99 <= 5 x the raw append+fsync p99.

A second table (issue 5: the UI thread must not stall because of sync): save() latency on a store
holding a 10,000-record pending backlog while another thread drains it with ``mark_synced`` in
batches of 500 (as the sync client does), beside save() on the same store with no mark_synced
running, in windows of equal length that alternate batch by batch.

``python -m benchmarks.store_save [--samples N] [--levels 1000,10000,100000] [--backlog N]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import tempfile
import threading
import time
import types
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tinydb import TinyDB

from kiosk.store import LocalStore
from kiosk.store import fileio as real_fileio
from kiosk.store.pending import PENDING_DIR
from kiosk.store.segments import Segment
from sync.protocol import new_follow_up_token

__all__ = ["main"]

THEMES = ["liikenne", "kulttuuri", "nuoret", "seniorit", "palvelut", "keskusta"]
STORY = "Tori elää talvellakin, ja kirjastossa on hyvä tavata. " * 4
# fsync is skipped only while pre-filling; one os.sync() makes it all durable before measuring.
_PREFILL_IO = types.SimpleNamespace(
    **{name: getattr(real_fileio, name) for name in real_fileio.__all__},
)
_PREFILL_IO.fsync_file = lambda path: None
_PREFILL_IO.fsync_dir = lambda path: None


def make_record(rng: random.Random, when: datetime) -> dict[str, Any]:
    """A record like the kiosk writes: mostly ratings, some theme choices, a few stories."""
    kind = rng.choices(["rating", "themes", "story"], weights=[6, 3, 1])[0]
    record: dict[str, Any] = {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "visit_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "created_at": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "kiosk_id": "mikkeli-main-1",
        "event_id": "kayttajatori-2026-11",
        "kind": kind,
        "rating": rng.randint(1, 4) if kind == "rating" else None,
        "theme_ids": rng.sample(THEMES, 3) if kind == "themes" else [],
        "story": STORY if kind == "story" else None,
        "lang": rng.choice(["fi", "fi", "sv", "en"]),
        "age_group": rng.choice([None, "18-29", "45-64"]),
        "district": None,
        "follow_up_token": new_follow_up_token(),
        "flags": [],
    }
    return record


def prefill_store(folder: str, count: int, rng: random.Random) -> None:
    """Write ``count`` pending records as full segments, in the store's own format."""
    pending = os.path.join(folder, PENDING_DIR)
    os.makedirs(pending, exist_ok=True)
    per_segment = LocalStore.pending_segment_records
    start = datetime.now(UTC) - timedelta(days=20)
    for number in range(1, count // per_segment + 1):
        segment = Segment(os.path.join(pending, f"{number:012d}.json"), _PREFILL_IO)
        segment.insert_many(
            make_record(rng, start + timedelta(seconds=number * per_segment + i))
            for i in range(per_segment)
        )


def prefill_tinydb(path: str, count: int, rng: random.Random) -> None:
    """TinyDB's own file format, written in one go (inserting one by one would take hours)."""
    start = datetime.now(UTC) - timedelta(days=20)
    table = {str(i + 1): make_record(rng, start + timedelta(seconds=i)) for i in range(count)}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"_default": table}, handle)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = q * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000.0


class RawAppend:
    """The disk's own limit: append the record's JSON line and fsync."""

    def __init__(self, path: str):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def save(self, record: dict[str, Any]) -> None:
        os.write(self.fd, json.dumps(record, ensure_ascii=False).encode() + b"\n")
        os.fsync(self.fd)

    def close(self) -> None:
        os.close(self.fd)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.store_save")
    parser.add_argument("--samples", type=int, default=600, help="saves per variant and level")
    parser.add_argument("--levels", default="1000,10000,100000", help="records already stored")
    parser.add_argument(
        "--tinydb-stop-ms", type=float, default=1000.0, help="stop TinyDB above this save time"
    )
    parser.add_argument(
        "--tinydb-budget-s", type=float, default=20.0, help="time TinyDB may take per level"
    )
    parser.add_argument("--dir", default=None, help="folder for the data (default: a temp dir)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--backlog", type=int, default=10_000, help="records mark_synced drains (0: skip)"
    )
    parser.add_argument("--passes", type=int, default=2, help="drains of the backlog")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    rng = random.Random(args.seed)
    base = tempfile.mkdtemp(prefix="kt-bench-store-", dir=args.dir)
    stores: dict[int, LocalStore] = {}
    raws: dict[int, RawAppend] = {}
    tinydbs: dict[int, TinyDB] = {}
    tinydb_notes: dict[int, str] = {}
    tinydb_samples: dict[int, int] = {}
    times: dict[tuple[str, int], list[float]] = {}
    try:
        print(f"pre-filling {', '.join(f'{n:,}' for n in levels)} records in {base} ...")
        started = time.monotonic()
        for level in levels:
            folder = os.path.join(base, f"store-{level}")
            prefill_store(folder, level, rng)
            os.sync()
            opened = time.perf_counter()
            stores[level] = LocalStore(folder)
            print(f"  LocalStore with {level:,}: opened in {time.perf_counter() - opened:.2f} s")
            raws[level] = RawAppend(os.path.join(base, f"raw-{level}.jsonl"))
        stopped_at: int | None = None
        for level in levels:  # TinyDB: probe each level; stop where one save is too slow
            if stopped_at is not None:
                tinydb_notes[level] = f"not run (stopped at {stopped_at:,})"
                continue
            path = os.path.join(base, f"tinydb-{level}.json")
            prefill_tinydb(path, level, rng)
            os.sync()
            db = TinyDB(path)
            probe = [timed(lambda db=db: db.insert(make_record(rng, datetime.now(UTC))))]
            probe.append(timed(lambda db=db: db.insert(make_record(rng, datetime.now(UTC)))))
            slowest = min(probe)
            if slowest > args.tinydb_stop_ms:
                tinydb_notes[level] = f"stopped: one save took {slowest:,.0f} ms"
                db.close()
                stopped_at = level
                continue
            tinydbs[level] = db
            tinydb_samples[level] = max(
                10, min(args.samples, int(args.tinydb_budget_s * 1000 / max(slowest, 0.1)))
            )
        print(f"pre-fill done in {time.monotonic() - started:.0f} s; measuring ...", flush=True)

        now = datetime.now(UTC)
        for round_no in range(args.samples):
            tasks: list[tuple[str, int, Callable[[], Any]]] = []
            for level in levels:
                record = make_record(rng, now)
                tasks.append(("LocalStore", level, lambda r=record, s=stores[level]: s.save(r)))
                tasks.append(("raw", level, lambda r=record, w=raws[level]: w.save(r)))
                if level in tinydbs:
                    stride = max(1, args.samples // tinydb_samples[level])
                    if round_no % stride == 0:
                        tasks.append(
                            ("TinyDB", level, lambda r=record, d=tinydbs[level]: d.insert(r))
                        )
            rng.shuffle(tasks)
            for variant, level, action in tasks:
                times.setdefault((variant, level), []).append(timed(action))
    finally:
        for store in stores.values():
            store.close()
        for raw in raws.values():
            raw.close()
        for db in tinydbs.values():
            db.close()
        shutil.rmtree(base, ignore_errors=True)
    result = report(levels, times, tinydb_notes, args.samples)
    if args.backlog > 0:
        result["save_during_mark_synced"] = contention(args, rng)
    return result


DRAIN_BATCH = 500  # what the sync client hands to one mark_synced
_SAVE_PAUSE_S = 0.002  # between measured saves, so the drain thread gets its turns


def _drain_pass(
    store: LocalStore,
    backlog: int,
    rng: random.Random,
    now: datetime,
    alone: list[float],
    during: list[float],
    drains: list[float],
) -> None:
    """Drain ``store``'s backlog batch by batch, timing saves alone and during mark_synced."""

    def save() -> None:
        store.save(make_record(rng, now))

    window = 0.1
    for _ in range(backlog // DRAIN_BATCH + 1):  # bounded: one batch per turn
        ids = [r["id"] for r in store.pending(DRAIN_BATCH)]
        if not ids:
            break
        deadline = time.perf_counter() + window
        while time.perf_counter() < deadline:
            alone.append(timed(save))
            time.sleep(_SAVE_PAUSE_S)
        finished = threading.Event()

        def drain(ids: list[str] = ids, finished: threading.Event = finished) -> None:
            try:
                drains.append(timed(lambda: store.mark_synced(ids)))
            finally:
                finished.set()

        worker = threading.Thread(target=drain, name="bench-mark-synced")
        worker.start()
        while not finished.is_set():
            during.append(timed(save))
            time.sleep(_SAVE_PAUSE_S)
        worker.join()
        window = drains[-1] / 1000.0


def contention(args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    """save() latency while another thread drains a backlog with mark_synced, and without.

    Per batch: first a window with no mark_synced running, as long as the previous batch's
    mark_synced took, with saves back to back (a short pause between them); then the batch's
    mark_synced on a second thread, with saves the same way until it returns. Both kinds of
    window see the same store, the same disk and the same noise, batch by batch.
    """
    alone: list[float] = []
    during: list[float] = []
    drains: list[float] = []
    now = datetime.now(UTC)
    base = tempfile.mkdtemp(prefix="kt-bench-contention-", dir=args.dir)
    try:
        for pass_no in range(args.passes):
            folder = os.path.join(base, f"store-{pass_no}")
            prefill_store(folder, args.backlog, rng)
            os.sync()
            store = LocalStore(folder)
            try:
                _drain_pass(store, args.backlog, rng, now, alone, during, drains)
            finally:
                store.close()
    finally:
        shutil.rmtree(base, ignore_errors=True)

    def row(name: str, values: list[float]) -> dict[str, Any]:
        return {
            "phase": name,
            "n": len(values),
            "p50": percentile(values, 0.5),
            "p99": percentile(values, 0.99),
            "max": max(values, default=float("nan")),
        }

    rows = [
        row("save() alone (same store)", alone),
        row("save() during mark_synced", during),
        row(f"mark_synced of {DRAIN_BATCH} (drain thread)", drains),
    ]
    print()
    print(
        f"save() latency in ms while another thread drains a {args.backlog:,}-record backlog "
        f"with mark_synced ({args.passes} pass(es), batches of {DRAIN_BATCH})"
    )
    header = f"{'':38} {'n':>6} {'p50':>8} {'p99':>8} {'max':>8}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['phase']:38} {r['n']:>6} {r['p50']:>8.2f} {r['p99']:>8.2f} {r['max']:>8.2f}")
    ratio = rows[1]["p99"] / rows[0]["p99"]
    print(f"save p99 during mark_synced / save p99 alone = {ratio:.2f}")
    return {"unit": "ms", "backlog": args.backlog, "rows": rows, "p99_ratio": ratio}


def report(
    levels: list[int],
    times: dict[tuple[str, int], list[float]],
    tinydb_notes: dict[int, str],
    samples: int,
) -> dict[str, Any]:
    def stats(variant: str, level: int) -> dict[str, float] | None:
        values = times.get((variant, level))
        if not values:
            return None
        return {"p50": percentile(values, 0.5), "p99": percentile(values, 0.99), "n": len(values)}

    raw_all = [t for level in levels for t in times.get(("raw", level), [])]
    raw_p99 = percentile(raw_all, 0.99)
    rows = []
    header = (
        f"{'stored':>9} | {'LocalStore p50':>14} {'p99':>7} | {'TinyDB JSONStorage p50':>22} "
        f"{'p99':>7} | {'raw append+fsync p50':>20} {'p99':>7} | {'LocalStore p99 / raw p99':>24}"
    )
    print()
    print(
        f"Durable save latency in ms ({samples} interleaved rounds; raw p99 of all levels "
        f"{raw_p99:.2f} ms)"
    )
    print(header)
    print("-" * len(header))
    for level in levels:
        ours, tiny, raw = stats("LocalStore", level), stats("TinyDB", level), stats("raw", level)
        assert ours is not None and raw is not None
        if tiny:
            tiny_text = f"{tiny['p50']:>22.2f} {tiny['p99']:>7.2f}"
            if tiny["n"] < samples:
                tiny_text += f" (n={tiny['n']})"
        else:
            tiny_text = f"{tinydb_notes.get(level, 'not run'):>30}"
        print(
            f"{level:>9,} | {ours['p50']:>14.2f} {ours['p99']:>7.2f} | {tiny_text} | "
            f"{raw['p50']:>20.2f} {raw['p99']:>7.2f} | {ours['p99'] / raw_p99:>24.2f}"
        )
        rows.append(
            {
                "stored": level,
                "local_store": ours,
                "tinydb": tiny,
                "raw": raw,
                "tinydb_note": tinydb_notes.get(level),
            }
        )
    first, last = stats("LocalStore", levels[0]), stats("LocalStore", levels[-1])
    assert first is not None and last is not None
    flatness = last["p99"] / first["p99"]
    worst_vs_raw = max(r["local_store"]["p99"] for r in rows) / raw_p99
    print()
    print(
        f"flatness: p99 at {levels[-1]:,} / p99 at {levels[0]:,} = {flatness:.2f} (target <= 1.3)"
    )
    print(f"cost over the disk: worst LocalStore p99 / raw p99 = {worst_vs_raw:.2f} (target <= 5)")
    return {
        "unit": "ms",
        "samples": samples,
        "rows": rows,
        "raw_p99_all_levels": raw_p99,
        "flatness_p99_ratio": flatness,
        "worst_p99_over_raw_p99": worst_vs_raw,
        "targets": {"flatness_p99_ratio": 1.3, "worst_p99_over_raw_p99": 5.0},
    }


if __name__ == "__main__":
    main()
