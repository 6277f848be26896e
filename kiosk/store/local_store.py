"""``LocalStore``: the kiosk's crash-safe outbox of records, and the only API the UI and sync use.

Layout of a data folder::

    store.lock            fcntl lock: one process at a time
    pending/NNNN.json     records not yet acknowledged by the server (bounded segments)
    archive/YYYY-MM/N.json  synced records, kept ``retention_days`` after ``created_at``
    meta.json, kiosk-config.json   small documents (last sync result, kiosk-config + ETag)
    quarantine/           files that could not be read at open; never deleted by the store

What a caller may rely on:

- ``save`` validates with ``sync.protocol.validate_record`` (a bad record raises
  ``RecordValidationError`` naming each field, and nothing is written) and returns only after the
  record is durable on disk. Its cost does not grow with the number of stored records.
- ``mark_synced`` is durable when it returns. It first archives, then removes from pending, so a
  crash in between leaves a record in both places, which the next open resolves as synced.
- A crash (or power cut) at any moment leaves a folder that opens, with every record whose save
  returned and every acknowledgement that returned.
- Every method is safe to call from several threads of one process. ``save`` and the other
  quick calls (``counts``, ``status``, ``get_meta``, ...) never wait behind ``mark_synced``'s
  archive writes: those run under a separate archive lock, and ``mark_synced`` takes the main
  lock only to read, and then to remove, one pending segment at a time.
- Every file access goes through the ``fileio`` module (default :mod:`kiosk.store.fileio`).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from kiosk.store import fileio as default_fileio
from kiosk.store.archive import ARCHIVE_DIR, Archive
from kiosk.store.errors import DuplicateRecordError, StoreClosedError, StoreLockedError
from kiosk.store.meta import MetaDocuments
from kiosk.store.pending import PENDING_DIR, PendingQueue
from kiosk.store.recovery import QUARANTINE_DIR, ensure_dir, quarantine, remove_temp_files

__all__ = ["LOCK_FILE", "LocalStore"]

LOCK_FILE = "store.lock"
log = logging.getLogger("kiosk.store")


class LocalStore:
    """Records on the kiosk's disk until the server has them; see the module docstring."""

    # Segment bounds: what one save or one mark_synced may rewrite. Tests use small ones. A save
    # re-encodes and rewrites the segment being filled (TinyDB also copies its table), so its
    # CPU grows with the segment: 25 records made a save's median a quarter cheaper than 100
    # (benchmarks/store_save.py), for four times the files in a long offline backlog.
    pending_segment_records = 25
    pending_segment_bytes = 64 * 1024
    # Small archive segments keep each JSON encode (which holds the GIL) short: a UI thread
    # saving while mark_synced archives waits at most one segment's encode for the GIL.
    archive_segment_records = 100
    archive_segment_bytes = 256 * 1024

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        *,
        age_groups: Iterable[str] | None = None,
        districts: Iterable[str] | None = None,
        retention_days: int = 90,
        fileio: Any = None,
    ):
        if not isinstance(retention_days, int) or retention_days < 1:
            raise ValueError("retention_days: must be a whole number of days, at least 1")
        self.data_dir = os.path.abspath(os.fspath(data_dir))
        self.retention_days = retention_days
        self._io = fileio if fileio is not None else default_fileio
        self._age_groups = tuple(age_groups) if age_groups else None
        self._districts = tuple(districts) if districts else None
        # Lock order: _archive_lock, then _mutex. _mutex guards the pending queue, the meta
        # documents and the life cycle; _archive_lock serialises the archive's writers
        # (mark_synced, purge) and whatever rebuilds the archive's in-memory view (reload, close).
        # The archive's index is read under _mutex alone (``in``, ``len``): a dict lookup sees a
        # record before or after archive.add published it, and either answer is right because
        # the record is still pending until mark_synced removes it under _mutex.
        self._archive_lock = threading.Lock()
        self._mutex = threading.RLock()
        # While mark_synced moves records: the ones not yet out of pending, how many it moves,
        # and the archive's size before (the archive grows outside _mutex meanwhile).
        self._moving: set[str] = set()
        self._moving_total = 0
        self._synced_before_move = 0
        self._closed = False
        self._quarantined_at_open: list[str] = []
        self._removed_temp_files: list[str] = []
        self._last_error: str | None = None
        self._needs_reload = False
        self._create_folders(self.data_dir)
        self._lock_handle = self._take_lock()
        try:
            self._pending = PendingQueue(
                os.path.join(self.data_dir, PENDING_DIR),
                self._io,
                self.pending_segment_records,
                self.pending_segment_bytes,
            )
            self._archive = Archive(
                os.path.join(self.data_dir, ARCHIVE_DIR),
                self._io,
                self.archive_segment_records,
                self.archive_segment_bytes,
            )
            self._meta = MetaDocuments(self.data_dir, self._io)
            self._load()
            self.purge_expired()
        except BaseException:
            self._io.unlock(self._lock_handle)
            self._closed = True
            raise

    # --- opening, locking, recovery

    def _create_folders(self, data_dir: str) -> None:
        missing = []
        folder = data_dir
        while not self._io.is_dir(folder):  # bounded by the depth of the path
            missing.append(folder)
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
        for folder in reversed(missing):
            ensure_dir(self._io, folder)
        for name in (PENDING_DIR, ARCHIVE_DIR, QUARANTINE_DIR):
            ensure_dir(self._io, os.path.join(data_dir, name))

    def _take_lock(self) -> Any:
        path = os.path.join(self.data_dir, LOCK_FILE)
        try:
            return self._io.lock(path)
        except BlockingIOError:
            try:
                pid: int | None = int(self._io.read_bytes(path).decode().strip() or 0) or None
            except (OSError, ValueError):
                pid = None
            raise StoreLockedError(self.data_dir, pid) from None

    def _on_corrupt(self, path: str, problem: str) -> None:
        self._quarantined_at_open.append(quarantine(self._io, self.data_dir, path, problem))

    def _on_temp(self, folder: str) -> None:
        self._removed_temp_files.extend(remove_temp_files(self._io, folder))

    def _load(self) -> None:
        """Build the in-memory view from the files, repairing what an interruption left."""
        for folder in (self.data_dir, self._pending.folder, self._archive.folder):
            self._on_temp(folder)
        self._pending.load(self._on_corrupt)
        self._archive.load(self._on_corrupt, self._on_temp)
        self._meta.load(self._on_corrupt)
        # mark_synced archives before it removes from pending: a record in both is synced.
        both = [record_id for record_id in self._pending.ids() if record_id in self._archive]
        if both:
            log.info("finishing an interrupted mark_synced of %d record(s)", len(both))
            self._pending.remove(both)
        self._moving.clear()  # the view now is what the disk holds
        self._needs_reload = False
        log.info(
            "opened store %s: %d pending, %d synced",
            self.data_dir,
            len(self._pending),
            len(self._archive),
        )

    def _write(self, action: Any, *, holds_archive_lock: bool = False) -> Any:
        """Run a writing action; after a failed write, rebuild the view from what is on disk.

        The rebuild needs both locks. A caller holding only ``_mutex`` cannot take the archive
        lock (lock order), so its rebuild is left to the next call (see ``_reload_if_needed``).
        """
        try:
            return action()
        except OSError as exc:
            self._last_error = f"{type(exc).__name__}: {exc}"
            log.error("store write failed in %s: %s", self.data_dir, exc)
            self._needs_reload = True
            if holds_archive_lock:
                with self._mutex:
                    try:
                        self._load()
                    except Exception as reload_exc:  # the disk is failing; health() reports it
                        log.error(
                            "reloading %s after the failure failed too: %s",
                            self.data_dir,
                            reload_exc,
                        )
            raise

    def _reload_if_needed(self) -> None:
        """After a failed write, rebuild the in-memory view (both locks, in order) before use."""
        if not self._needs_reload:  # the common case: no lock taken
            return
        with self._archive_lock, self._mutex:
            if self._needs_reload and not self._closed:
                self._load()

    def _check_open(self) -> None:
        if self._closed:
            raise StoreClosedError(self.data_dir)

    # --- records

    def save(self, record: dict[str, Any]) -> str:
        """Validate, assign an id when absent, store durably; return the id.

        Saving the very same record (same id, same contents) again returns its id and writes
        nothing, so a caller may retry a save that raised ``OSError``.
        """
        from sync.protocol import validate_record  # lazy: pydantic costs the kiosk's cold start

        self._reload_if_needed()
        with self._mutex:
            self._check_open()
            clean = validate_record(record, age_groups=self._age_groups, districts=self._districts)
            record_id = clean["id"]
            if record_id in self._pending:
                if self._pending.get(record_id) == clean:
                    return record_id
                raise DuplicateRecordError(record_id, "pending")
            if record_id in self._archive:
                raise DuplicateRecordError(record_id, "synced")
            self._write(lambda: self._pending.append(clean))
            return record_id

    def pending(self, limit: int = 500) -> list[dict[str, Any]]:
        """Up to ``limit`` records the server has not acknowledged, oldest (first saved) first."""
        if not isinstance(limit, int) or limit < 0:
            raise ValueError("limit: must be a whole number, 0 or more")
        self._reload_if_needed()
        # The archive lock keeps mark_synced from removing records meanwhile, so closed
        # segments (which saves never touch) are read without the main lock: a save waits at
        # most for the read of the one segment being filled.
        with self._archive_lock:
            with self._mutex:
                self._check_open()
                plan = self._pending.plan()
            out: list[dict[str, Any]] = []
            for number, closed in plan:
                if len(out) >= limit:
                    break
                if closed:
                    records = self._pending.read_closed(number)
                else:
                    with self._mutex:
                        records = self._pending.records_in(number)
                out.extend(records[: limit - len(out)])
            return out

    def mark_synced(self, ids: Iterable[str]) -> None:
        """Record that the server has these records; durable on return. Unknown ids are ignored."""
        if isinstance(ids, str):
            raise TypeError("ids: pass a list of record ids, not one string")
        ids = list(dict.fromkeys(ids))
        self._reload_if_needed()
        with self._archive_lock:
            # 1. Read the records, one pending segment per hold of the main lock: a save
            #    waits at most for one bounded segment read.
            with self._mutex:
                self._check_open()
                by_segment = self._pending.group_by_segment(ids)
            records: list[dict[str, Any]] = []
            for number in sorted(by_segment):
                with self._mutex:
                    self._check_open()
                    records.extend(self._pending.take_from(number, by_segment[number]))
            if not records:
                return
            wanted = [r["id"] for r in records]
            # 2. Archive them durably without the main lock: only mark_synced and purge touch
            #    the archive's files, and both hold the archive lock. First: a crash after this
            #    leaves the records in both places, which the next open resolves as synced.
            with self._mutex:
                self._synced_before_move = len(self._archive)
                self._moving_total = len(wanted)
                self._moving.update(wanted)
            try:
                self._write(lambda: self._archive.add(records), holds_archive_lock=True)
                # 3. Remove them from pending, one segment per hold of the main lock. A closed
                #    segment that empties is only forgotten under the lock; its file is deleted
                #    after (the records are archived, so a crash before that deletion is fine).
                for number in sorted(by_segment):
                    with self._mutex:
                        self._check_open()
                        emptied = self._pending.detach_emptied(number, by_segment[number])
                        if emptied is None:
                            self._write(
                                lambda n=number: self._pending.remove(by_segment[n]),
                                holds_archive_lock=True,  # and _mutex, which is reentrant
                            )
                        self._moving.difference_update(by_segment[number])
                    if emptied is not None:
                        self._write(emptied.delete, holds_archive_lock=True)
            finally:
                with self._mutex:
                    self._moving.difference_update(wanted)

    def status(self, record_id: str) -> str | None:
        """``"pending"``, ``"synced"``, or ``None`` when no such record is stored (or purged)."""
        self._reload_if_needed()
        with self._mutex:
            self._check_open()
            if record_id in self._pending:
                return "pending"
            if record_id in self._archive:
                return "synced"
            return None

    def counts(self) -> dict[str, Any]:
        """``pending`` and ``synced`` never count a record twice, even mid-``mark_synced``."""
        self._reload_if_needed()
        with self._mutex:
            self._check_open()
            return {
                "pending": len(self._pending),
                "synced": self._synced_count(),
                "oldest_pending_created_at": self._pending.oldest_created_at(),
            }

    def purge_expired(self, now: datetime | None = None) -> int:
        """Delete synced records created more than ``retention_days`` before ``now``; how many.

        Pending records are never purged: the server does not have them yet.
        """
        now = now or datetime.now(UTC)
        if now.tzinfo is None:
            raise ValueError("now: must be timezone-aware (UTC)")
        cutoff = (now - timedelta(days=self.retention_days)).astimezone(UTC)
        created_before = cutoff.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self._reload_if_needed()
        # The archive lock alone: purge touches only the archive, so saves go on meanwhile.
        with self._archive_lock:
            with self._mutex:
                self._check_open()
            removed = self._write(
                lambda: self._archive.purge(created_before), holds_archive_lock=True
            )
            if removed:
                log.info("purged %d synced record(s) created before %s", removed, created_before)
            return removed

    # --- small documents

    def put_kiosk_config(self, doc: dict[str, Any], etag: str | None) -> None:
        """Keep the last kiosk-config from the server (and its ETag), durably."""
        self._reload_if_needed()
        with self._mutex:
            self._check_open()
            self._write(lambda: self._meta.put_config(doc, etag))

    def kiosk_config(self) -> tuple[dict[str, Any] | None, str | None]:
        self._reload_if_needed()
        with self._mutex:
            self._check_open()
            return self._meta.config()

    def set_meta(self, key: str, value: Any) -> None:
        """Keep a small JSON value under ``key``, durably (e.g. the last sync result)."""
        self._reload_if_needed()
        with self._mutex:
            self._check_open()
            self._write(lambda: self._meta.set(key, value))

    def get_meta(self, key: str, default: Any = None) -> Any:
        self._reload_if_needed()
        with self._mutex:
            self._check_open()
            return self._meta.get(key, default)

    # --- health and life cycle

    def health(self) -> dict[str, Any]:
        """``ok`` is False while quarantine/ holds files or the last write failed.

        ``quarantined`` lists every file in quarantine/ (also from earlier opens), so the problem
        stays visible until someone has looked at the files and removed them.
        """
        self._reload_if_needed()
        with self._mutex:
            self._check_open()
            folder = os.path.join(self.data_dir, QUARANTINE_DIR)
            try:
                quarantined = [os.path.join(folder, n) for n in self._io.list_dir(folder)]
            except FileNotFoundError:  # staff removed the folder itself after inspecting it
                quarantined = []
            return {
                "ok": not quarantined and self._last_error is None,
                "quarantined": quarantined,
                "quarantined_at_open": list(self._quarantined_at_open),
                "removed_temp_files": len(self._removed_temp_files),
                "last_error": self._last_error,
                "data_dir": self.data_dir,
                "pending": len(self._pending),
                "synced": self._synced_count(),
            }

    def _synced_count(self) -> int:
        # A record mark_synced is moving counts as pending until it leaves pending. The archive
        # grows without _mutex meanwhile, so it is not counted from the archive then.
        if self._moving:
            return self._synced_before_move + self._moving_total - len(self._moving)
        return len(self._archive)

    def close(self) -> None:
        """Release the folder's lock; later calls raise ``StoreClosedError``. Idempotent."""
        # The archive lock first: an unfinished mark_synced must not write after the unlock.
        with self._archive_lock, self._mutex:
            if self._closed:
                return
            self._closed = True
            self._io.unlock(self._lock_handle)

    def __enter__(self) -> LocalStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<LocalStore {self.data_dir} ({state})>"
