"""Test helpers: valid records, an in-memory outbox for the client's pure logic, ``wait_for``.

The end-to-end tests use the real ``kiosk.store.LocalStore``; :class:`MemoryOutbox` exists so
the pure logic (batch packing, the worker's schedule) can be tested without a disk.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from sync.protocol import new_follow_up_token, utc_now_iso, validate_record

EVENT_ID = "kayttajatori-2026-11"


def make_record(kiosk_id: str, rng: random.Random | None = None, **fields: Any) -> dict[str, Any]:
    """A valid record of a random kind, as the kiosk would save it."""
    rng = rng or random.Random()
    kind = fields.pop("kind", rng.choice(("rating", "rating", "themes", "story")))
    record: dict[str, Any] = {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "visit_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "created_at": utc_now_iso(),
        "kiosk_id": kiosk_id,
        "event_id": EVENT_ID,
        "kind": kind,
        "lang": rng.choice(("fi", "sv", "en")),
        "follow_up_token": new_follow_up_token(),
    }
    if kind == "rating":
        record["rating"] = rng.randint(1, 4)
    elif kind == "themes":
        record["theme_ids"] = rng.sample(["liikenne", "kulttuuri", "nuoret", "seniorit"], 2)
    else:
        record["story"] = rng.choice(
            ["Tori elää talvellakin ❄", "Pyöräteitä lisää\nkeskustaan", "Minun Mikkelini: järvi"]
        )
    record.update(fields)
    return validate_record(record)


class MemoryOutbox:
    """The :class:`sync.client.Outbox` contract kept in a dict; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, dict[str, Any]] = {}
        self._synced: set[str] = set()
        self._meta: dict[str, Any] = {}
        self._config: tuple[dict[str, Any] | None, str | None] = (None, None)

    def save(self, record: dict[str, Any]) -> str:
        with self._lock:
            self._records[record["id"]] = dict(record)
        return record["id"]

    def pending(self, limit: int = 500) -> list[dict[str, Any]]:
        with self._lock:
            out = [dict(r) for i, r in self._records.items() if i not in self._synced]
        return out[:limit]

    def mark_synced(self, ids: Iterable[str]) -> None:
        with self._lock:
            self._synced.update(ids)

    def counts(self) -> dict[str, Any]:
        with self._lock:
            pending = [r for i, r in self._records.items() if i not in self._synced]
        return {
            "pending": len(pending),
            "synced": len(self._synced),
            "oldest_pending_created_at": pending[0]["created_at"] if pending else None,
        }

    def set_meta(self, key: str, value: Any) -> None:
        with self._lock:
            self._meta[key] = value

    def get_meta(self, key: str, default: Any = None) -> Any:
        with self._lock:
            return self._meta.get(key, default)

    def put_kiosk_config(self, doc: dict[str, Any], etag: str | None) -> None:
        with self._lock:
            self._config = (doc, etag)

    def kiosk_config(self) -> tuple[dict[str, Any] | None, str | None]:
        with self._lock:
            return self._config


def wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    """Poll ``condition`` until true; fail after ``seconds`` (every wait in these tests is bounded)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"not within {seconds} s: {condition.__doc__ or condition}")
