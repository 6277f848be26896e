"""Stories and the privacy gate in the database: read a story's gate state, change it, and the
one query every public surface builds its story list from.

A caller may rely on: :func:`privacy_of` returning a :class:`~sync.server.domain.privacy_gate.
StoryPrivacy` for any story (no row means nothing dismissed, not flagged, no override);
:func:`publishable_stories` yielding only stories that pass
:func:`~sync.server.domain.privacy_gate.publishable` — approved, with text, no open findings
unless overridden — so kiosk-config and the public pages cannot show anything else.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, insert, select, update

from sync.server.db.tables import record_themes, records, story_privacy
from sync.server.domain.privacy_gate import StoryPrivacy, assess, publishable

__all__ = [
    "attach_privacy",
    "privacy_of",
    "privacy_rows",
    "publishable_stories",
    "set_privacy",
    "shown_text",
]


def shown_text(row: Mapping[Any, Any]) -> str:
    """The text staff and the public see: the redacted text when there is one."""
    return row.get("story_redacted") or row.get("story") or ""


def privacy_rows(conn: Connection, record_ids: Iterable[str]) -> dict[str, Mapping[Any, Any]]:
    ids = list(record_ids)
    if not ids:
        return {}
    rows = conn.execute(select(story_privacy).where(story_privacy.c.record_id.in_(ids)))
    return {r.record_id: r._mapping for r in rows}


def _assess(row: Mapping[Any, Any], gate: Mapping[Any, Any] | None) -> StoryPrivacy:
    return assess(
        shown_text(row),
        dismissed_keys=(gate or {}).get("dismissed") or (),
        manually_flagged=bool((gate or {}).get("manually_flagged")),
        override_reason=(gate or {}).get("override_reason"),
    )


def privacy_of(conn: Connection, row: Mapping[Any, Any]) -> StoryPrivacy:
    """The gate state of one story row (a mapping with ``id``, ``story``, ``story_redacted``)."""
    return _assess(row, privacy_rows(conn, [row["id"]]).get(row["id"]))


def attach_privacy(conn: Connection, rows: list[dict]) -> list[dict]:
    """Each row with a ``privacy`` entry, read in one query."""
    gates = privacy_rows(conn, [r["id"] for r in rows])
    for row in rows:
        row["privacy"] = _assess(row, gates.get(row["id"]))
    return rows


def set_privacy(conn: Connection, record_id: str, **values: Any) -> None:
    """Create or change the story's gate row (``dismissed``, ``manually_flagged``,
    ``override_reason``, ``override_by``, ``override_at``)."""
    exists = conn.execute(
        select(story_privacy.c.record_id).where(story_privacy.c.record_id == record_id)
    ).first()
    if exists:
        conn.execute(
            update(story_privacy).where(story_privacy.c.record_id == record_id).values(**values)
        )
    else:
        base: dict[str, Any] = {"dismissed": [], "manually_flagged": False}
        conn.execute(insert(story_privacy).values(record_id=record_id, **(base | values)))


def publishable_stories(
    conn: Connection,
    *,
    limit: int | None = None,
    theme_id: str | None = None,
    kiosk_ids: Iterable[str] | None = None,
    since: datetime | None = None,
) -> Iterator[dict]:
    """Approved stories that pass the privacy gate, newest first (then by id).

    Each item has ``id``, ``text`` (redacted when staff redacted), ``lang``, ``theme_ids``,
    ``created_at``, ``kiosk_id`` and ``event_id`` — never age group, district or token.
    """
    conds = [records.c.kind == "story", records.c.story_status == "approved"]
    if theme_id:
        conds.append(
            records.c.id.in_(
                select(record_themes.c.record_id).where(record_themes.c.theme_id == theme_id)
            )
        )
    if kiosk_ids is not None:
        conds.append(records.c.kiosk_id.in_(list(kiosk_ids)))
    if since is not None:
        conds.append(records.c.created_at >= since)
    query = (
        select(
            records.c.id,
            records.c.story,
            records.c.story_redacted,
            records.c.story_status,
            records.c.lang,
            records.c.theme_ids,
            records.c.created_at,
            records.c.kiosk_id,
            records.c.event_id,
            story_privacy.c.dismissed,
            story_privacy.c.manually_flagged,
            story_privacy.c.override_reason,
        )
        .select_from(
            records.outerjoin(story_privacy, and_(story_privacy.c.record_id == records.c.id))
        )
        .where(*conds)
        .order_by(records.c.created_at.desc(), records.c.id)
    )
    shown = 0
    for row in conn.execution_options(yield_per=200).execute(query).mappings():
        privacy = _assess(row, row)
        text = shown_text(row)
        if not publishable(row["story_status"], text, privacy):
            continue
        yield {
            "id": row["id"],
            "text": text,
            "lang": row["lang"],
            "theme_ids": list(row["theme_ids"] or []),
            "created_at": row["created_at"],
            "kiosk_id": row["kiosk_id"],
            "event_id": row["event_id"],
        }
        shown += 1
        if limit is not None and shown >= limit:
            return
