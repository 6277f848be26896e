"""Before and after of an edit, as the audit trail keeps it.

A caller may rely on: :func:`changes` returning only the fields whose value changed, each side
JSON-ready (dates and times as ISO text), so an audit entry says what an edit did and no more;
:func:`plain` making one row JSON-ready the same way (for what a delete removed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

__all__ = ["changes", "plain"]


def _json_ready(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def plain(row: Mapping[str, Any], skip: Iterable[str] = ("updated_at",)) -> dict[str, Any]:
    """``row`` with JSON-ready values, leaving out bookkeeping fields."""
    skipped = set(skip)
    return {k: _json_ready(v) for k, v in row.items() if k not in skipped}


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{"before": {field: old}, "after": {field: new}}`` for the fields of ``after`` that
    differ from ``before`` (a field missing from ``before`` counts as None)."""
    old, new = {}, {}
    for key, value in after.items():
        if key == "updated_at":
            continue
        previous = before.get(key)
        if _json_ready(previous) != _json_ready(value):
            old[key], new[key] = _json_ready(previous), _json_ready(value)
    return {"before": old, "after": new}
