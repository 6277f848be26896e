"""The records not yet acknowledged by the server: numbered segments in ``<data_dir>/pending/``.

A save rewrites only the newest segment, and a segment is closed once it holds
``max_records`` records or ``max_bytes`` bytes, so a save costs the same with 1,000 or 100,000
records waiting. Only the segment being filled is kept in memory; the others are read when
needed (each read is bounded by the segment size). What a caller may rely on:

- Order: segment number, then insertion order inside a segment, is save order.
- ``append`` is durable when it returns (see storage.py); ``remove`` likewise, and a segment left
  empty is deleted rather than rewritten.
- The in-memory index (record id -> segment) matches the files after ``load`` and after every
  change that returned; after a change that raised, the owner reloads (LocalStore does). The one
  exception is ``detach_emptied``: its records leave the index before the caller deletes the
  file, which is fine only for records durable elsewhere (the archive).
- Not thread-safe by itself: the owner serialises changes. ``read_closed`` alone may run beside
  ``append`` (see its docstring).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from kiosk.store.errors import CorruptFileError
from kiosk.store.segments import Segment
from kiosk.store.storage import is_temp_name

__all__ = ["PENDING_DIR", "PendingQueue"]

PENDING_DIR = "pending"
_SEGMENT_RE = re.compile(r"([0-9]{12})\.json")
log = logging.getLogger("kiosk.store")


@dataclass
class _SegmentInfo:
    segment: Segment
    count: int
    oldest_created_at: str | None


def _oldest(records: Iterable[dict[str, Any]]) -> str | None:
    return min((r["created_at"] for r in records), default=None)


class PendingQueue:
    """Pending records in bounded segments, with an id index kept in memory."""

    def __init__(self, folder: str, fileio: Any, max_records: int, max_bytes: int):
        self.folder = folder
        self._fileio = fileio
        self._max_records = max_records
        self._max_bytes = max_bytes
        self._segments: dict[int, _SegmentInfo] = {}  # ascending segment numbers
        self._index: dict[str, int] = {}  # record id -> segment number
        self._next_number = 1
        self._filling: int | None = None  # the segment new records go to

    def _path(self, number: int) -> str:
        return os.path.join(self.folder, f"{number:012d}.json")

    def load(self, on_corrupt: Callable[[str, str], None]) -> None:
        """Read every segment once to build the index; hand unreadable files to ``on_corrupt``."""
        self._segments.clear()
        self._index.clear()
        self._filling = None
        numbers = []
        for name in self._fileio.list_dir(self.folder):
            match = _SEGMENT_RE.fullmatch(name)
            if match:
                numbers.append(int(match.group(1)))
            elif not is_temp_name(name):
                log.warning("ignoring unknown file %s in %s", name, self.folder)
        for number in sorted(numbers):
            segment = Segment(self._path(number), self._fileio)
            try:
                records = segment.load()
            except CorruptFileError as exc:
                on_corrupt(exc.path, exc.problem)
                continue
            kept = []
            for record in records:
                if record["id"] in self._index:  # cannot happen through this code; be safe
                    log.warning("record %s is in two pending segments", record["id"])
                    continue
                self._index[record["id"]] = number
                kept.append(record)
            self._segments[number] = _SegmentInfo(segment, len(kept), _oldest(kept))
            segment.forget()
        self._next_number = max(numbers, default=0) + 1
        if self._segments:
            self._filling = max(self._segments)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._index

    def ids(self) -> list[str]:
        return list(self._index)

    def oldest_created_at(self) -> str | None:
        return min(
            (i.oldest_created_at for i in self._segments.values() if i.oldest_created_at),
            default=None,
        )

    def _records_of(self, number: int) -> list[dict[str, Any]]:
        info = self._segments[number]
        records = [r for r in info.segment.records() if self._index.get(r["id"]) == number]
        if number != self._filling:
            info.segment.forget()
        return records

    def get(self, record_id: str) -> dict[str, Any] | None:
        number = self._index.get(record_id)
        if number is None:
            return None
        return next((r for r in self._records_of(number) if r["id"] == record_id), None)

    def plan(self) -> list[tuple[int, bool]]:
        """The segments holding records, oldest first, each as (number, closed)."""
        return [(n, n != self._filling) for n, info in self._segments.items() if info.count]

    def records_in(self, number: int) -> list[dict[str, Any]]:
        """The records of segment ``number`` (none when it is gone), in save order."""
        return self._records_of(number) if number in self._segments else []

    def read_closed(self, number: int) -> list[dict[str, Any]]:
        """The records of closed segment ``number``, read through a segment object of its own.

        Safe without the lock that guards this queue while nobody removes records (the owner
        holds its archive lock): a closed segment's file changes only by removal, saves only
        add entries to the index, and no cached state is shared with other readers.
        """
        records = Segment(self._path(number), self._fileio).records()
        return [r for r in records if self._index.get(r["id"]) == number]

    def append(self, record: dict[str, Any]) -> None:
        """Store one validated record durably in the segment being filled."""
        number = self._segment_for_append()
        info = self._segments[number]
        info.segment.insert(record)
        self._index[record["id"]] = number
        info.count += 1
        if info.oldest_created_at is None or record["created_at"] < info.oldest_created_at:
            info.oldest_created_at = record["created_at"]

    def _segment_for_append(self) -> int:
        number = self._filling
        info = self._segments.get(number) if number is not None else None
        if (
            number is None
            or info is None
            or info.count >= self._max_records
            or info.segment.size >= self._max_bytes
        ):
            if info is not None:
                info.segment.forget()  # closed: no longer kept in memory
            number = self._next_number
            self._next_number += 1
            segment = Segment(self._path(number), self._fileio)
            self._segments[number] = _SegmentInfo(segment, 0, None)
            self._filling = number
        return number

    def group_by_segment(self, ids: Iterable[str]) -> dict[int, set[str]]:
        """The known ids among ``ids``, grouped by the number of the segment holding them."""
        by_segment: dict[int, set[str]] = {}
        for record_id in ids:
            number = self._index.get(record_id)
            if number is not None:
                by_segment.setdefault(number, set()).add(record_id)
        return by_segment

    def take_from(self, number: int, ids: Collection[str]) -> list[dict[str, Any]]:
        """The records of segment ``number`` whose ids are in ``ids``, in save order."""
        if number not in self._segments:
            return []
        return [r for r in self._records_of(number) if r["id"] in ids]

    def detach_emptied(self, number: int, ids: Collection[str]) -> Segment | None:
        """Forget closed segment ``number`` if ``ids`` are all its records; return it, or None.

        The caller then deletes the returned segment's file (``segment.delete()``) without
        holding the lock that guards this queue: nothing here refers to it any more. Until the
        deletion is durable the file still holds the records, so the caller may do this only
        for records that are also durable elsewhere (archived), which the next open resolves.
        """
        info = self._segments.get(number)
        if info is None or number == self._filling:
            return None
        mine = [record_id for record_id in ids if self._index.get(record_id) == number]
        if len(mine) != info.count:
            return None
        for record_id in mine:
            del self._index[record_id]
        del self._segments[number]
        info.segment.forget()
        return info.segment

    def remove(self, ids: Iterable[str]) -> None:
        """Remove these records durably, one segment file at a time; unknown ids are skipped."""
        by_segment: dict[int, set[str]] = {}
        for record_id in ids:
            number = self._index.get(record_id)
            if number is not None:
                by_segment.setdefault(number, set()).add(record_id)
        for number in sorted(by_segment):
            info = self._segments[number]
            remaining = info.segment.remove_ids(by_segment[number])
            for record_id in by_segment[number]:
                del self._index[record_id]
            remaining = [r for r in remaining if self._index.get(r["id"]) == number]
            info.count = len(remaining)
            info.oldest_created_at = _oldest(remaining)
            if not remaining:
                del self._segments[number]  # its file is gone (or holds only strays)
                if self._filling == number:
                    self._filling = None
            elif number != self._filling:
                info.segment.forget()
