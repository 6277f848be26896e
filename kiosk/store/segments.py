"""One bounded file of records: a TinyDB database (table ``records``) on :class:`AtomicJSONStorage`.

Pending records and archived (synced) records both live in segments; keeping every segment small
is what keeps the cost of a save or of ``mark_synced`` flat however many records are stored.
What a caller may rely on:

- ``records()`` lists the segment's records in insertion order (TinyDB document ids only grow).
- Every change (``insert``, ``insert_many``, ``remove_ids``, ``remove_older_than``) is one atomic,
  durable file replacement; a change that empties the segment deletes its file instead.
- ``load()`` raises :class:`CorruptFileError` when the file is not a segment of records.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from tinydb import Query, TinyDB

from kiosk.store.errors import CorruptFileError
from kiosk.store.storage import AtomicJSONStorage

__all__ = ["RECORDS_TABLE", "Segment"]

RECORDS_TABLE = "records"


class Segment:
    """A records file; holds its contents in memory only between :meth:`load` and :meth:`forget`."""

    def __init__(self, path: str, fileio: Any):
        self.path = path
        self._db = TinyDB(path, fileio, storage=AtomicJSONStorage)
        self._storage: AtomicJSONStorage = self._db.storage  # type: ignore[assignment]
        # cache_size=0: every query here runs once, a query cache would only hold memory.
        self._table = self._db.table(RECORDS_TABLE, cache_size=0)

    @property
    def size(self) -> int:
        """Bytes of the file as last read or written."""
        return self._storage.size

    def load(self) -> list[dict[str, Any]]:
        """Read (or re-read) the file and return its records; checks each has an id and a time."""
        self._storage.forget()
        records = self.records()
        for record in records:
            if not isinstance(record.get("id"), str) or not isinstance(
                record.get("created_at"), str
            ):
                raise CorruptFileError(self.path, "holds a record without 'id' or 'created_at'")
        return records

    def records(self) -> list[dict[str, Any]]:
        """The records, oldest first, as plain dicts the caller may keep."""
        docs = sorted(self._table.all(), key=lambda doc: doc.doc_id)
        return [_copy(doc) for doc in docs]

    def insert(self, record: dict[str, Any]) -> None:
        self._table.insert(record)

    def insert_many(self, records: Iterable[dict[str, Any]]) -> None:
        self._table.insert_multiple(records)

    def remove_ids(self, ids: Collection[str]) -> list[dict[str, Any]]:
        """Remove the records with these ids; return what remains."""
        remaining = [r for r in self.records() if r["id"] not in ids]
        if not remaining:
            self._storage.delete()
        else:
            self._table.remove(Query().id.one_of(list(ids)))
        return remaining

    def remove_older_than(self, created_before: str) -> tuple[list[str], list[dict[str, Any]]]:
        """Remove records created before the given UTC ISO time; return (removed ids, remaining)."""
        records = self.records()
        removed = [r["id"] for r in records if r["created_at"] < created_before]
        if not removed:
            return [], records
        remaining = [r for r in records if r["created_at"] >= created_before]
        if not remaining:
            self._storage.delete()
        else:
            self._table.remove(Query().created_at < created_before)
        return removed, remaining

    def strip_to(self, fields: Collection[str]) -> None:
        """Keep only ``fields`` of every record, in one atomic, durable file replacement."""
        data = self._storage.read() or {}
        data[RECORDS_TABLE] = {
            doc_id: {k: v for k, v in record.items() if k in fields}
            for doc_id, record in data.get(RECORDS_TABLE, {}).items()
        }
        self._storage.write(data)

    def delete(self) -> None:
        """Remove the file durably (unlink, fsync the folder)."""
        self._storage.delete()

    def forget(self) -> None:
        """Release the in-memory copy; the next use reads the file again."""
        self._storage.forget()


def _copy(doc: dict[str, Any]) -> dict[str, Any]:
    # Lists are copied too, so a caller that edits a returned record cannot edit the cache.
    return {k: (list(v) if isinstance(v, list) else v) for k, v in doc.items()}
