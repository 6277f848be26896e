"""LocalStore under two threads: the UI saving while the sync thread runs ``mark_synced``.

Issue 5 needs the UI thread never to wait behind sync's disk writes. These tests hold an archive
write of ``mark_synced`` open (a file-I/O double that blocks there) and check that ``save``,
``counts``, ``status`` and ``get_meta`` finish meanwhile and see a consistent store; that
concurrent saves and drains lose and double nothing; and that a failed write part-way through
``mark_synced`` leaves a store that still works and keeps what returned.
"""

from __future__ import annotations

import os
import threading
import time
import types

import pytest

from kiosk.store import LocalStore
from kiosk.store import fileio as real_fileio
from tests.store.records import make_record

# Generous bound for "finished while the archive write is held": only a deadlock (the bug these
# tests guard against) gets near it, so it is no speed target.
LIVENESS_S = 20.0


class SmallStore(LocalStore):
    pending_segment_records = 5
    pending_segment_bytes = 64 * 1024
    archive_segment_records = 7
    archive_segment_bytes = 64 * 1024


def _fileio(**overrides) -> types.SimpleNamespace:
    io = types.SimpleNamespace(**{n: getattr(real_fileio, n) for n in real_fileio.__all__})
    for name, function in overrides.items():
        setattr(io, name, function)
    return io


def _in_archive(path: str) -> bool:
    return f"{os.sep}archive{os.sep}" in path


@pytest.fixture
def folder(tmp_path):
    return str(tmp_path / "kiosk-data")


def test_ui_calls_finish_while_mark_synced_is_writing_the_archive(folder):
    entered, release = threading.Event(), threading.Event()

    def write_file(path: str, data: bytes) -> None:
        if _in_archive(path) and not release.is_set():
            entered.set()
            release.wait(LIVENESS_S)
        real_fileio.write_file(path, data)

    store = SmallStore(folder, fileio=_fileio(write_file=write_file))
    try:
        store.set_meta("last_sync", {"ok": True})
        backlog = [store.save(make_record(n)) for n in range(12)]
        drain = threading.Thread(target=store.mark_synced, args=(backlog,))
        drain.start()
        assert entered.wait(LIVENESS_S), "mark_synced never reached its archive write"

        seen: dict[str, object] = {}

        def ui() -> None:
            seen["id"] = store.save(make_record(100))
            seen["counts"] = store.counts()
            seen["status"] = store.status(backlog[0])
            seen["meta"] = store.get_meta("last_sync")

        ui_thread = threading.Thread(target=ui)
        ui_thread.start()
        ui_thread.join(LIVENESS_S)
        held = not release.is_set()
        release.set()
        drain.join(LIVENESS_S)
        assert held and not ui_thread.is_alive(), "the UI calls waited for the archive write"
        # Mid-move the records still count as pending (not yet removed), never twice.
        assert seen["counts"]["pending"] == 13
        assert seen["counts"]["synced"] == 0
        assert seen["status"] == "pending"
        assert seen["meta"] == {"ok": True}
        assert not drain.is_alive()
        assert store.counts()["pending"] == 1
        assert store.counts()["synced"] == 12
        assert [r["id"] for r in store.pending()] == [seen["id"]]
    finally:
        release.set()
        store.close()


def test_ui_calls_finish_while_pending_reads_the_backlog(folder):
    """The sync thread's pending() reads closed segments; the UI must not wait for that."""
    entered, release = threading.Event(), threading.Event()

    def read_bytes(path: str) -> bytes:
        if threading.current_thread().name == "sync" and not release.is_set():
            entered.set()
            release.wait(LIVENESS_S)
        return real_fileio.read_bytes(path)

    store = SmallStore(folder, fileio=_fileio(read_bytes=read_bytes))
    try:
        backlog = [store.save(make_record(n)) for n in range(12)]
        seen: dict[str, object] = {}
        sync = threading.Thread(target=lambda: seen.update(batch=store.pending(8)), name="sync")
        sync.start()
        assert entered.wait(LIVENESS_S), "pending() never read a segment file"

        def ui() -> None:
            seen["id"] = store.save(make_record(100))
            seen["counts"] = store.counts()

        ui_thread = threading.Thread(target=ui)
        ui_thread.start()
        ui_thread.join(LIVENESS_S)
        held = not release.is_set()
        release.set()
        sync.join(LIVENESS_S)
        assert held and not ui_thread.is_alive(), "the UI calls waited for pending()'s reads"
        assert seen["counts"]["pending"] == 13
        assert [r["id"] for r in seen["batch"]] == backlog[:8]
        assert [r["id"] for r in store.pending()] == [*backlog, seen["id"]]
    finally:
        release.set()
        store.close()


def test_saves_and_drains_at_once_lose_and_double_nothing(folder):
    total = 120
    saved: list[str] = []
    problems: list[str] = []
    done = threading.Event()
    store = SmallStore(folder)
    try:

        def saver() -> None:
            try:
                for n in range(total):
                    saved.append(store.save(make_record(n)))
            except Exception as exc:  # reported by the main thread
                problems.append(f"save: {exc!r}")
            finally:
                done.set()

        def drainer() -> None:
            # Bounded by time, not by a count of polls: on a slow disk the first save may take
            # longer than any fixed number of polls of an empty queue.
            deadline = time.monotonic() + LIVENESS_S
            try:
                while time.monotonic() < deadline:
                    # Read before pending(): a save that returned before done was set is then
                    # already in what pending() sees, so an empty answer after it is final.
                    finished = done.is_set()
                    batch = [r["id"] for r in store.pending(13)]
                    if batch:
                        store.mark_synced(batch)
                    elif finished:
                        return
                    else:
                        done.wait(0.001)  # the saver is between saves
                problems.append(f"the drain did not finish in {LIVENESS_S} s")
            except Exception as exc:
                problems.append(f"mark_synced: {exc!r}")

        threads = [threading.Thread(target=saver), threading.Thread(target=drainer)]
        for thread in threads:
            thread.start()
        polls = 0
        deadline = time.monotonic() + LIVENESS_S
        # The UI polling counts while both run.
        while any(thread.is_alive() for thread in threads) and time.monotonic() < deadline:
            before = len(saved)
            counts = store.counts()
            after = len(saved)
            polls += 1
            stored = counts["pending"] + counts["synced"]
            if not before <= stored <= after + 1:  # one save may be in flight
                problems.append(f"counts {counts} with {before}..{after} saves returned")
        for thread in threads:
            thread.join(LIVENESS_S)
        assert not problems, problems[:5]
        assert polls > 0
        assert len(saved) == total
        assert store.counts()["pending"] == 0
        assert store.counts()["synced"] == total
    finally:
        store.close()
    with SmallStore(folder) as reopened:
        assert reopened.counts()["synced"] == total
        assert {reopened.status(i) for i in saved} == {"synced"}


@pytest.mark.parametrize("where", ["archive", "pending"])
def test_a_failed_write_inside_mark_synced_keeps_the_store_working(folder, where):
    """A disk error while archiving leaves the records pending; one while removing them from
    pending (after the archive is durable) leaves them synced. Either way the store goes on."""
    fail = threading.Event()

    def write_file(path: str, data: bytes) -> None:
        if fail.is_set() and where == "archive" and _in_archive(path):
            fail.clear()
            raise OSError(28, "No space left on device")
        real_fileio.write_file(path, data)

    def unlink(path: str) -> None:
        if fail.is_set() and where == "pending" and not _in_archive(path):
            fail.clear()
            raise OSError(5, "Input/output error")
        real_fileio.unlink(path)

    store = SmallStore(folder, fileio=_fileio(write_file=write_file, unlink=unlink))
    try:
        ids = [store.save(make_record(n)) for n in range(12)]
        fail.set()
        with pytest.raises(OSError):
            store.mark_synced(ids[:10])
        assert store.health()["last_error"]
        expected = "pending" if where == "archive" else "synced"
        assert {store.status(i) for i in ids[:10]} == {expected}
        counts = store.counts()
        assert counts["pending"] + counts["synced"] == 12
        extra = store.save(make_record(50))
        store.mark_synced([r["id"] for r in store.pending()])
        counts = store.counts()
        assert (counts["pending"], counts["synced"]) == (0, 13)
    finally:
        store.close()
    with SmallStore(folder) as reopened:
        assert {reopened.status(i) for i in [*ids, extra]} == {"synced"}
