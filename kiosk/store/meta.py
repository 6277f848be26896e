"""Small documents beside the records: ``meta.json`` (key -> JSON value) and ``kiosk-config.json``.

Both are TinyDB databases on :class:`AtomicJSONStorage`, so each change is one atomic, durable
file replacement. What a caller may rely on: values come back as new objects equal to what was
stored (JSON round trip); a value that is not JSON raises ``TypeError`` naming the key and
writes nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from tinydb import Query, TinyDB
from tinydb.table import Document

from kiosk.store.errors import CorruptFileError
from kiosk.store.storage import AtomicJSONStorage

__all__ = ["CONFIG_FILE", "META_FILE", "MetaDocuments"]

META_FILE = "meta.json"
CONFIG_FILE = "kiosk-config.json"
_CONFIG_DOC_ID = 1


def _json_copy(what: str, value: Any) -> Any:
    try:
        return json.loads(json.dumps(value, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{what}: the value must be plain JSON ({exc})") from None


class MetaDocuments:
    """The kiosk-config from the server and small named values (last sync result, ...)."""

    def __init__(self, data_dir: str, fileio: Any):
        self._meta_db = TinyDB(os.path.join(data_dir, META_FILE), fileio, storage=AtomicJSONStorage)
        self._config_db = TinyDB(
            os.path.join(data_dir, CONFIG_FILE), fileio, storage=AtomicJSONStorage
        )
        self._meta = self._meta_db.table("meta", cache_size=0)
        self._config = self._config_db.table("kiosk_config", cache_size=0)

    def load(self, on_corrupt: Callable[[str, str], None]) -> None:
        """Read both files; an unreadable one is handed to ``on_corrupt`` and starts empty."""
        for db in (self._meta_db, self._config_db):
            storage: AtomicJSONStorage = db.storage  # type: ignore[assignment]
            storage.forget()
            try:
                storage.read()
            except CorruptFileError as exc:
                on_corrupt(exc.path, exc.problem)
                storage.forget()  # the file was moved away: reads now see an empty database

    def set(self, key: str, value: Any) -> None:
        if not isinstance(key, str) or not key:
            raise TypeError("key: must be a non-empty string")
        value = _json_copy(key, value)
        self._meta.upsert({"key": key, "value": value}, Query().key == key)

    def get(self, key: str, default: Any = None) -> Any:
        doc = self._meta.get(Query().key == key)
        if doc is None:
            return default
        return _json_copy(key, doc.get("value"))

    def put_config(self, doc: dict[str, Any], etag: str | None) -> None:
        if not isinstance(doc, dict):
            raise TypeError("doc: the kiosk-config must be a JSON object")
        if etag is not None and not isinstance(etag, str):
            raise TypeError("etag: must be a string or None")
        stored = {"doc": _json_copy("doc", doc), "etag": etag}
        # One write whether it inserts or updates, so the old config or the new one survives.
        self._config.upsert(Document(stored, doc_id=_CONFIG_DOC_ID))

    def config(self) -> tuple[dict[str, Any] | None, str | None]:
        stored = self._config.get(doc_id=_CONFIG_DOC_ID)
        if stored is None or not isinstance(stored.get("doc"), dict):
            return None, None
        etag = stored.get("etag")
        return _json_copy("doc", stored["doc"]), etag if isinstance(etag, str) else None
