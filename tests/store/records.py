"""Valid records for the store tests, built the way the kiosk builds them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sync.protocol import new_follow_up_token

__all__ = ["iso", "make_record"]

_NS = uuid.UUID("6f7c1f8e-3a53-4c61-9d1e-2f0b3f3f6a10")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def make_record(
    n: int | None = None, *, days_ago: float = 0, kind: str = "rating", **fields: Any
) -> dict[str, Any]:
    """A valid record; ``n`` fixes its id (deterministic), otherwise the store assigns one."""
    record: dict[str, Any] = {
        "visit_id": str(uuid.uuid4()),
        "created_at": iso(datetime.now(UTC) - timedelta(days=days_ago)),
        "kiosk_id": "mikkeli-main-1",
        "event_id": "kayttajatori-2026-11",
        "kind": kind,
        "lang": "fi",
        "follow_up_token": new_follow_up_token(),
    }
    if kind == "rating":
        record["rating"] = 1 + (n or 0) % 4
    elif kind == "themes":
        record["theme_ids"] = ["liikenne", "kulttuuri"]
    else:
        record["story"] = "Tori elää talvellakin."
    if n is not None:
        record["id"] = str(uuid.uuid5(_NS, str(n)))
    record.update(fields)
    return record
