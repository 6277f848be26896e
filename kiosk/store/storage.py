"""A TinyDB ``Storage`` that never overwrites a file in place, and the atomic write it uses.

``AtomicJSONStorage`` keeps TinyDB's two-method contract (``read()`` / ``write(data)``), so every
TinyDB table and query works on it unchanged. What a caller may rely on:

- ``write(data)`` returns only when the new contents are durable under the file's name: a temporary
  file in the same folder is written and fsynced, renamed over the target with ``os.replace``, and
  the folder is fsynced. A power cut at any point leaves either the old file or the new one.
- ``read()`` answers from the last contents read or written (a read cache of what is on disk, never
  a write cache); when a write fails the cache is dropped, so the next read goes back to the disk.
- A file that is not JSON of TinyDB's shape raises :class:`CorruptFileError` from ``read()``.
- All I/O goes through the ``fileio`` module object handed in (see fileio.py).
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import Any

from tinydb.storages import Storage

from kiosk.store.errors import CorruptFileError

__all__ = ["TEMP_SUFFIX", "AtomicJSONStorage", "is_temp_name", "write_atomic"]

TEMP_SUFFIX = ".tmp"


def is_temp_name(name: str) -> bool:
    """True for the temporary files :func:`write_atomic` leaves behind when it is interrupted."""
    return name.startswith(".") and name.endswith(TEMP_SUFFIX)


def write_atomic(fileio: Any, path: str, data: bytes) -> None:
    """Put ``data`` at ``path`` durably and atomically (temp file, fsync, replace, fsync folder)."""
    folder, name = os.path.split(path)
    temp = os.path.join(folder, f".{name}{TEMP_SUFFIX}")
    fileio.write_file(temp, data)
    fileio.fsync_file(temp)
    fileio.replace(temp, path)
    fileio.fsync_dir(folder)


def _check_shape(path: str, data: Any) -> dict[str, dict[str, dict[str, Any]]]:
    if not isinstance(data, dict):
        raise CorruptFileError(path, "is not a JSON object of tables")
    for table_name, table in data.items():
        if not isinstance(table, dict):
            raise CorruptFileError(path, f"table {table_name!r} is not a JSON object")
        for doc_id, doc in table.items():
            if not doc_id.isdigit() or not isinstance(doc, dict):
                raise CorruptFileError(path, f"table {table_name!r} has a malformed document")
    return data


class AtomicJSONStorage(Storage):
    """TinyDB storage of one JSON file, written only by atomic replacement."""

    def __init__(self, path: str, fileio: Any):
        self.path = path
        self._fileio = fileio
        self._data: dict[str, dict[str, Any]] | None = None
        self._loaded = False
        self.size = 0  # bytes of the file as last read or written

    def read(self) -> dict[str, dict[str, Any]] | None:
        if not self._loaded:
            self._data = self._load()
            self._loaded = True
        if self._data is None:
            return None
        # A new outer dict: TinyDB replaces the table it changes in this dict, so the cached
        # tables stay exactly what is on disk until write() has succeeded.
        return dict(self._data)

    def _load(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = self._fileio.read_bytes(self.path)
        except FileNotFoundError:
            self.size = 0
            return None
        self.size = len(raw)
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise CorruptFileError(self.path, f"is not valid JSON ({exc})") from None
        return _check_shape(self.path, data)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        # Until the write has fully succeeded, what is on disk is unknown: forget the cache.
        self.forget()
        write_atomic(self._fileio, self.path, payload)
        self._data = data
        self._loaded = True
        self.size = len(payload)

    def delete(self) -> None:
        """Remove the file durably (unlink, fsync the folder); reads then see an empty database."""
        self.forget()
        with contextlib.suppress(FileNotFoundError):
            self._fileio.unlink(self.path)
        self._fileio.fsync_dir(os.path.dirname(self.path))
        self._data = None
        self._loaded = True
        self.size = 0

    def forget(self) -> None:
        """Drop the read cache; the next read() goes to the disk."""
        self._data = None
        self._loaded = False

    def close(self) -> None:
        self.forget()
