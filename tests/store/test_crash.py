"""Power cuts at every crash point of save and mark_synced (in the spirit of SQLite's crash tests).

A workload of saves, mark_synced calls and a set_meta runs on :class:`CrashFS`; it is replayed once
per crash point (every call that changes state or durability, plus a torn variant of each
write), the power is cut there, the surviving disk is written to a real folder in each of the
double's survival modes, and the real store with the real fileio opens it. Then: the store opens,
nothing is quarantined (no torn file is ever visible under a real name), every save that returned
is there with its contents, every mark_synced that returned stays synced, and the store keeps
working. A second test cuts the power again at every crash point of the repair that the next
open performs (finishing an interrupted mark_synced, removing temporary files).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import pytest

from kiosk.store import LocalStore
from sync.protocol import validate_record
from tests.store.crashfs import CrashFS, PowerCut
from tests.store.records import make_record

ROOT = "/sim"
DATA = "/sim/kiosk-data"


class SmallStore(LocalStore):
    """Tiny segments, so a short workload rolls segments over and spans archive months."""

    pending_segment_records = 3
    archive_segment_records = 3


# Records 0-5 are this month, 6-8 from over a month ago: two archive months, one created
# during the workload (a new month folder is a crash point of its own).
RECORDS = [make_record(n, days_ago=40 if n in (6, 7, 8) else 0) for n in range(12)]
ID = [r["id"] for r in RECORDS]
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"

SETUP = [("save", 0), ("save", 1), ("save", 2), ("save", 3), ("sync", [0, 1]), ("meta", 1)]
WORKLOAD = [
    ("save", 4),  # fills segment 2
    ("save", 6),  # opens segment 3
    ("sync", [2, 3, 6]),  # empties segment 1, trims 2; new archive month + segment roll-over
    ("save", 5),
    ("save", 7),
    ("meta", 2),
    ("sync", [4, 5, 7, 2]),  # 2 is already synced: ignored; UNKNOWN_ID added below
    ("save", 8),
    ("save", 9),
]


@dataclass
class Journal:
    """What the workload was told had succeeded (and what was in flight at the cut)."""

    saved: list[str] = field(default_factory=list)
    synced: set[str] = field(default_factory=set)
    meta_acked: Any = None
    meta_in_flight: Any = None


def run(fs: CrashFS, steps: list[tuple[str, Any]], journal: Journal) -> None:
    store = SmallStore(DATA, fileio=fs)
    for action, arg in steps:
        if action == "save":
            journal.saved.append(store.save(RECORDS[arg]))
        elif action == "sync":
            ids = [ID[i] for i in arg] + [UNKNOWN_ID]
            store.mark_synced(ids)
            journal.synced.update(ID[i] for i in arg)
        else:
            journal.meta_in_flight = arg
            store.set_meta("last_sync", arg)
            journal.meta_acked = arg
    store.close()


@pytest.fixture(scope="module")
def base() -> tuple[CrashFS, Journal]:
    fs = CrashFS(ROOT)
    journal = Journal()
    run(fs, SETUP, journal)
    fs.sync_all()
    return fs, journal


def check_reopened(folder: str, journal: Journal, keep_working: bool) -> None:
    store = SmallStore(folder)
    try:
        health = store.health()
        assert health["quarantined"] == [], "a torn or empty file became visible"
        pending = store.pending(limit=10_000)
        pending_ids = [r["id"] for r in pending]
        assert len(pending_ids) == len(set(pending_ids)), "a record is pending twice"
        assert pending_ids == [i for i in ID if i in set(pending_ids)], "save order lost"
        for record in pending:
            assert record == validate_record(RECORDS[ID.index(record["id"])]), "record changed"
        for record_id in journal.saved:
            assert store.status(record_id) in ("pending", "synced"), f"lost save {record_id}"
        for record_id in journal.synced:
            assert store.status(record_id) == "synced", f"lost acknowledgement {record_id}"
        counts = store.counts()
        assert counts["pending"] == len(pending_ids)
        assert counts["synced"] == sum(store.status(i) == "synced" for i in ID)
        assert store.get_meta("last_sync") in (journal.meta_acked, journal.meta_in_flight)
        if keep_working:
            new_id = store.save(RECORDS[11])
            store.mark_synced([new_id, *pending_ids[:1]])
            store.close()
            store = SmallStore(folder)
            assert store.status(new_id) == "synced"
            assert store.health()["ok"]
    finally:
        store.close()


def crash_runs(base_fs: CrashFS, base_journal: Journal) -> list[tuple[int, bool]]:
    dry = base_fs.copy()
    run(dry, WORKLOAD, copy.deepcopy(base_journal))
    runs = []
    for k, (call, _path) in enumerate(dry.points):
        runs.append((k, False))
        if call == "write_file":
            runs.append((k, True))
    return runs


def test_the_workload_passes_every_kind_of_crash_point(base):
    fs = base[0].copy()
    run(fs, WORKLOAD, copy.deepcopy(base[1]))
    calls = {call for call, _ in fs.points}
    assert {"write_file", "fsync_file", "replace", "fsync_dir", "unlink", "make_dir"} <= calls
    assert len(fs.points) >= 50


@pytest.mark.parametrize("mode", ["lost", "kept", "meta", "random"])
def test_power_cut_at_every_crash_point(base, mode, tmp_path):
    base_fs, base_journal = base
    failures = []
    runs = crash_runs(base_fs, base_journal)
    for k, torn in runs:
        fs = base_fs.copy(crash_at=k, torn=torn)
        journal = copy.deepcopy(base_journal)
        with pytest.raises(PowerCut):
            run(fs, WORKLOAD, journal)
        seeds = (k, k + 1000) if mode == "random" else (0,)
        for seed in seeds:
            folder = tmp_path / f"{k}-{int(torn)}-{seed}"
            CrashFS.materialize(fs.survivors(mode, seed), str(folder))
            try:
                check_reopened(
                    str(folder / "kiosk-data"), journal, keep_working=(mode != "random" or torn)
                )
            except AssertionError as exc:
                failures.append(f"point {k} {fs.points[k]} torn={torn} seed={seed}: {exc}")
    assert not failures, f"{len(failures)} of {len(runs)} crash runs failed:\n" + "\n".join(
        failures[:10]
    )


def test_power_cut_during_the_repair_at_open(base, tmp_path):
    """A crash that leaves work for the next open (an unfinished mark_synced, temporary files),
    then a second power cut at every crash point of that open's repair."""
    base_fs, base_journal = base
    repaired = 0
    failures = []
    for k, torn in crash_runs(base_fs, base_journal):
        fs = base_fs.copy(crash_at=k, torn=torn)
        journal = copy.deepcopy(base_journal)
        with pytest.raises(PowerCut):
            run(fs, WORKLOAD, journal)
        after_first_cut = CrashFS.from_tree(ROOT, fs.survivors("kept"))
        dry = after_first_cut.copy()
        SmallStore(DATA, fileio=dry).close()
        for j in range(len(dry.points)):
            repaired += 1
            second = after_first_cut.copy(crash_at=j)
            with pytest.raises(PowerCut):
                SmallStore(DATA, fileio=second)
            for mode in ("lost", "meta"):
                folder = tmp_path / f"{k}-{int(torn)}-{j}-{mode}"
                CrashFS.materialize(second.survivors(mode), str(folder))
                try:
                    check_reopened(str(folder / "kiosk-data"), journal, keep_working=False)
                except AssertionError as exc:
                    failures.append(f"point {k} then repair point {j} {dry.points[j]}: {exc}")
    assert repaired >= 20, f"only {repaired} repair crash points: too few to prove anything"
    assert not failures, "\n".join(failures[:10])
