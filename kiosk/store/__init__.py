"""The kiosk's crash-safe local store of records (TinyDB documents on atomic, bounded files).

Use only what is exported here::

    from kiosk.store import LocalStore, StoreLockedError
    with LocalStore(data_dir) as store:
        record_id = store.save(record)      # durable when it returns
        batch = store.pending(limit=500)    # oldest first
        store.mark_synced([r["id"] for r in batch])

The store imports no Kivy and no HTTP; it validates records with ``sync.protocol``.
"""

from __future__ import annotations

from kiosk.store.errors import (
    CorruptFileError,
    DuplicateRecordError,
    StoreClosedError,
    StoreError,
    StoreLockedError,
)
from kiosk.store.local_store import LocalStore

__all__ = [
    "CorruptFileError",
    "DuplicateRecordError",
    "FieldError",
    "LocalStore",
    "RecordValidationError",
    "StoreClosedError",
    "StoreError",
    "StoreLockedError",
]


def __getattr__(name: str):
    # Lazy: importing sync.protocol (pydantic) here would cost the kiosk's cold start.
    if name in ("FieldError", "RecordValidationError"):
        import sync.protocol

        return getattr(sync.protocol, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
