"""Synced records: ``<data_dir>/archive/<YYYY-MM>/<NNNNNN>.json``, by the month of ``created_at``.

Each month is a series of bounded segments; new records go to the month's last segment until it
is full, so ``mark_synced`` rewrites a bounded amount however large the archive grows. The month
layout makes the retention purge cheap: a month wholly past the cutoff is deleted file by file,
only the month that straddles the cutoff is filtered. What a caller may rely on:

- ``add`` is durable when it returns; each segment change is one atomic file replacement.
- The archive keeps only what dedupe and counts need: :data:`ARCHIVE_FIELDS` (id, visit id,
  kind, time). No story text, no follow-up token: once the server has a record, a stolen kiosk
  does not give it away. ``load`` strips records an older version archived whole (one atomic
  rewrite per such segment).
- ``purge`` removes every record created before the cutoff and returns how many it removed.
- ``__contains__`` answers from an in-memory index of ids built by ``load``; it and ``len`` may be
  called from another thread while ``add`` or ``purge`` runs (single dict operations), and see
  each record before or after it was added. ``add``, ``purge`` and ``load`` must not overlap.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable
from typing import Any

from kiosk.store.errors import CorruptFileError
from kiosk.store.recovery import ensure_dir
from kiosk.store.segments import Segment
from kiosk.store.storage import is_temp_name

__all__ = ["ARCHIVE_DIR", "ARCHIVE_FIELDS", "Archive", "archived_form"]

ARCHIVE_FIELDS = ("id", "visit_id", "kind", "created_at")

ARCHIVE_DIR = "archive"
_MONTH_RE = re.compile(r"[0-9]{4}-[0-9]{2}")
_SEGMENT_RE = re.compile(r"([0-9]{6})\.json")
log = logging.getLogger("kiosk.store")


def archived_form(record: dict[str, Any]) -> dict[str, Any]:
    """What the archive keeps of a synced record."""
    return {k: record[k] for k in ARCHIVE_FIELDS if k in record}


class _Month:
    def __init__(self) -> None:
        self.segments: dict[int, Segment] = {}
        self.counts: dict[int, int] = {}


class Archive:
    """Synced records in monthly, bounded segments, with an id index kept in memory."""

    def __init__(self, folder: str, fileio: Any, max_records: int, max_bytes: int):
        self.folder = folder
        self._fileio = fileio
        self._max_records = max_records
        self._max_bytes = max_bytes
        self._months: dict[str, _Month] = {}
        self._ids: dict[str, str] = {}  # record id -> month

    def _month_dir(self, month: str) -> str:
        return os.path.join(self.folder, month)

    def _segment(self, month: str, number: int) -> Segment:
        return Segment(os.path.join(self._month_dir(month), f"{number:06d}.json"), self._fileio)

    def load(self, on_corrupt: Callable[[str, str], None], on_temp: Callable[[str], None]) -> None:
        """Read every archive segment once to build the id index."""
        self._months.clear()
        self._ids.clear()
        for month in self._fileio.list_dir(self.folder):
            folder = self._month_dir(month)
            if not _MONTH_RE.fullmatch(month) or not self._fileio.is_dir(folder):
                if not is_temp_name(month):
                    log.warning("ignoring unknown entry %s in %s", month, self.folder)
                continue
            on_temp(folder)
            entry = self._months[month] = _Month()
            for name in self._fileio.list_dir(folder):
                match = _SEGMENT_RE.fullmatch(name)
                if not match:
                    log.warning("ignoring unknown file %s in %s", name, folder)
                    continue
                number = int(match.group(1))
                segment = self._segment(month, number)
                try:
                    records = segment.load()
                except CorruptFileError as exc:
                    on_corrupt(exc.path, exc.problem)
                    continue
                if any(set(record) - set(ARCHIVE_FIELDS) for record in records):
                    segment.strip_to(ARCHIVE_FIELDS)  # archived whole by an older version
                for record in records:
                    self._ids[record["id"]] = month
                entry.segments[number] = segment
                entry.counts[number] = len(records)
                segment.forget()

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._ids

    def add(self, records: Iterable[dict[str, Any]]) -> None:
        """Archive these records durably; each goes to the month of its ``created_at``."""
        by_month: dict[str, list[dict[str, Any]]] = {}
        for record in records:
            if record["id"] not in self._ids:
                by_month.setdefault(record["created_at"][:7], []).append(archived_form(record))
        for month in sorted(by_month):
            self._add_to_month(month, by_month[month])

    def _add_to_month(self, month: str, records: list[dict[str, Any]]) -> None:
        entry = self._months.get(month)
        if entry is None:
            ensure_dir(self._fileio, self._month_dir(month))
            entry = self._months[month] = _Month()
        while records:
            number = max(entry.segments, default=0)
            if (
                not number
                or entry.counts[number] >= self._max_records
                or entry.segments[number].size >= self._max_bytes
            ):
                if number:
                    entry.segments[number].forget()
                number += 1
                entry.segments[number] = self._segment(month, number)
                entry.counts[number] = 0
            room = self._max_records - entry.counts[number]
            chunk, records = records[:room], records[room:]
            entry.segments[number].insert_many(chunk)
            entry.counts[number] += len(chunk)
            for record in chunk:
                self._ids[record["id"]] = month

    def purge(self, created_before: str) -> int:
        """Remove records created before ``created_before`` (UTC ISO); return how many."""
        cutoff_month = created_before[:7]
        removed = 0
        for month in sorted(self._months):
            if month < cutoff_month:
                removed += self._drop_month(month)
            elif month == cutoff_month:
                removed += self._filter_month(month, created_before)
        return removed

    def _drop_month(self, month: str) -> int:
        entry = self._months[month]
        folder = self._month_dir(month)
        for number in sorted(entry.segments):
            entry.segments[number].forget()
            self._fileio.unlink(entry.segments[number].path)
        self._fileio.fsync_dir(folder)
        for name in self._fileio.list_dir(folder):  # strays and temp files go with the month
            self._fileio.unlink(os.path.join(folder, name))
        self._fileio.remove_dir(folder)
        self._fileio.fsync_dir(self.folder)
        ids = [record_id for record_id, m in self._ids.items() if m == month]
        for record_id in ids:
            del self._ids[record_id]
        del self._months[month]
        return len(ids)

    def _filter_month(self, month: str, created_before: str) -> int:
        entry = self._months[month]
        removed = 0
        for number in sorted(entry.segments):
            ids, remaining = entry.segments[number].remove_older_than(created_before)
            for record_id in ids:
                self._ids.pop(record_id, None)
            removed += len(ids)
            entry.counts[number] = len(remaining)
            entry.segments[number].forget()
            if not remaining and ids:
                del entry.segments[number]
                del entry.counts[number]
        return removed
