"""The one rule for which of a visit's answers count, in Python (the SQL twin is
:mod:`sync.server.db.superseded`; a test checks the two agree).

A visitor may go back on the kiosk and tap another face or choose other themes; the kiosk then
saves a new record and keeps the earlier one. Of a visit's ``rating`` records and of its
``themes`` records only the LAST counts, "last" by ``created_at`` and then by record id (two
records made in the same instant still order one way). Stories are never replaced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

__all__ = ["SUPERSEDING_KINDS", "answer_order", "counted_records", "last_answer"]

SUPERSEDING_KINDS = ("rating", "themes")

R = TypeVar("R", bound=Mapping[Any, Any])


def answer_order(row: Mapping[Any, Any]) -> tuple[datetime, str]:
    """Sort key: a later key replaces an earlier one of the same visit and kind. Naive datetimes
    (SQLite) are UTC."""
    created: datetime = row["created_at"]
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return (created, str(row["id"]))


def last_answer(rows: Iterable[R], kind: str) -> R | None:
    """The record of ``kind`` that counts among one visit's ``rows`` (any order), or None."""
    return max((r for r in rows if r["kind"] == kind), key=answer_order, default=None)


def counted_records(rows: Iterable[R]) -> list[R]:
    """One visit's records that count, oldest first: its last rating, its last themes record and
    every other record."""
    rows = sorted(rows, key=answer_order)
    last = {kind: last_answer(rows, kind) for kind in SUPERSEDING_KINDS}
    return [r for r in rows if r["kind"] not in SUPERSEDING_KINDS or r is last[r["kind"]]]
