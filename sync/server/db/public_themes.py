"""What the public theme pages, the lobby display and the feeds read: active themes only.

A caller may rely on:
- :func:`active_themes` and :func:`theme` returning only themes with ``active`` set, each a
  plain dict with its texts, velho (``velho_contact`` is None unless the velho made it public),
  ``steps`` by date and ``updates`` newest first; never anything a visitor typed.
- :func:`site_kiosks` giving the kiosk ids of a library (``kiosks.site``), :func:`sites` the
  libraries that have a kiosk in use.
- :func:`theme_visits` giving ``(created_at, rating)`` per visit that chose the theme (its
  last face, None when it gave none) — raw rows for :mod:`sync.server.domain.public_stats`,
  which aggregates them and applies the minimum count; nothing else about the visit.
- :func:`upcoming_events` giving the coming events (for a library: those that list one of its
  kiosks or list none), by date.
- :func:`moderation_rows` giving ``(created_at, status, publishable, theme_ids)`` per story,
  for the counts of the open moderation page; no text leaves this module.
Story text for the public comes from :func:`sync.server.db.story_privacy.publishable_stories`
only.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, exists, func, or_, select

from sync.server.db.story_privacy import publishable_stories, shown_text
from sync.server.db.tables import (
    event_kiosks,
    events,
    kiosks,
    record_themes,
    records,
    story_privacy,
    theme_steps,
    theme_updates,
    themes,
)
from sync.server.domain.privacy_gate import assess, publishable
from sync.server.domain.public_stats import month_key, months_back, mood_by_month, shown_count
from sync.server.domain.theme_path import current_step_index

__all__ = [
    "active_themes",
    "moderation_rows",
    "site_kiosks",
    "sites",
    "theme",
    "theme_view",
    "theme_visit_counts",
    "theme_visits",
    "upcoming_events",
]

_THEME_COLUMNS = (
    themes.c.id,
    themes.c.name_fi,
    themes.c.name_sv,
    themes.c.name_en,
    themes.c.velho_name,
    themes.c.velho_role_fi,
    themes.c.velho_role_sv,
    themes.c.velho_role_en,
    themes.c.velho_contact,
    themes.c.velho_contact_public,
    themes.c.sort_order,
    themes.c.updated_at,
)


def _with_paths(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = {}
    for row in rows:
        if not row["velho_contact_public"]:
            row["velho_contact"] = None  # never leaves this module unless the velho allowed it
        found[row["id"]] = row | {"steps": [], "updates": []}
    ids = list(found)
    if not ids:
        return []
    steps = conn.execute(
        select(theme_steps)
        .where(theme_steps.c.theme_id.in_(ids))
        .order_by(theme_steps.c.step_date, theme_steps.c.id)
    ).mappings()
    for step in steps:
        found[step["theme_id"]]["steps"].append(dict(step))
    updates = conn.execute(
        select(
            theme_updates.c.id,
            theme_updates.c.theme_id,
            theme_updates.c.update_date,
            theme_updates.c.text_fi,
            theme_updates.c.text_sv,
            theme_updates.c.text_en,
        )
        .where(theme_updates.c.theme_id.in_(ids))
        .order_by(theme_updates.c.update_date.desc(), theme_updates.c.id.desc())
    ).mappings()
    for news in updates:
        found[news["theme_id"]]["updates"].append(dict(news))
    return list(found.values())


def active_themes(conn: Connection) -> list[dict[str, Any]]:
    """Every active theme in the staff's order, with its path and updates."""
    rows = conn.execute(
        select(*_THEME_COLUMNS)
        .where(themes.c.active.is_(True))
        .order_by(themes.c.sort_order, themes.c.id)
    ).mappings()
    return _with_paths(conn, [dict(r) for r in rows])


def theme(conn: Connection, theme_id: str) -> dict[str, Any] | None:
    """One active theme with its path and updates; None for an unknown or inactive id."""
    rows = conn.execute(
        select(*_THEME_COLUMNS).where(themes.c.id == theme_id, themes.c.active.is_(True))
    ).mappings()
    found = _with_paths(conn, [dict(r) for r in rows])
    return found[0] if found else None


def sites(conn: Connection) -> list[str]:
    """The libraries (``kiosks.site``) with a kiosk in use, alphabetically."""
    rows = conn.execute(
        select(kiosks.c.site)
        .where(kiosks.c.disabled_at.is_(None))
        .distinct()
        .order_by(kiosks.c.site)
    )
    return [r[0] for r in rows]


def site_kiosks(conn: Connection, site: str) -> list[str]:
    """Every kiosk id of the library ``site`` (disabled ones too: their visits still count)."""
    return list(conn.execute(select(kiosks.c.id).where(kiosks.c.site == site)).scalars())


def _visits_choosing(theme_id: str, kiosk_ids: Collection[str] | None):
    query = (
        select(records.c.visit_id)
        .join(record_themes, record_themes.c.record_id == records.c.id)
        .where(record_themes.c.theme_id == theme_id)
    )
    if kiosk_ids is not None:
        query = query.where(records.c.kiosk_id.in_(list(kiosk_ids)))
    return query


def theme_visits(
    conn: Connection,
    theme_id: str,
    *,
    since: datetime | None = None,
    kiosk_ids: Collection[str] | None = None,
) -> list[tuple[datetime, int | None]]:
    """``(first record's time, last face or None)`` per visit that chose the theme."""
    conds: list[ColumnElement[bool]] = [
        records.c.visit_id.in_(_visits_choosing(theme_id, kiosk_ids))
    ]
    if since is not None:
        conds.append(records.c.created_at >= since)
    rows = conn.execute(
        select(records.c.visit_id, records.c.created_at, records.c.kind, records.c.rating)
        .where(*conds)
        .order_by(records.c.created_at, records.c.id)
    )
    visits: dict[str, list] = {}
    for visit_id, created_at, kind, rating in rows:
        entry = visits.setdefault(visit_id, [created_at, None])
        if kind == "rating" and rating is not None:
            entry[1] = rating  # the last answer counts: a visitor may go back and choose again
    return [(when, rating) for when, rating in visits.values()]


def theme_visit_counts(
    conn: Connection, *, kiosk_ids: Collection[str] | None = None
) -> dict[str, int]:
    """Distinct visits per theme id (all time; at ``kiosk_ids`` when given)."""
    query = (
        select(record_themes.c.theme_id, func.count(records.c.visit_id.distinct()))
        .join(records, records.c.id == record_themes.c.record_id)
        .group_by(record_themes.c.theme_id)
    )
    if kiosk_ids is not None:
        query = query.where(records.c.kiosk_id.in_(list(kiosk_ids)))
    return {tid: int(n) for tid, n in conn.execute(query)}


def upcoming_events(
    conn: Connection, today: date, *, kiosk_ids: Collection[str] | None = None, limit: int = 5
) -> list[dict[str, Any]]:
    """Events dated ``today`` or later, by date; at a library only its own and all-kiosk ones."""
    conds = [events.c.event_date >= today]
    if kiosk_ids is not None:
        conds.append(
            or_(
                exists().where(
                    event_kiosks.c.event_id == events.c.id,
                    event_kiosks.c.kiosk_id.in_(list(kiosk_ids) or [""]),
                ),
                ~exists().where(event_kiosks.c.event_id == events.c.id),
            )
        )
    rows = conn.execute(
        select(events).where(*conds).order_by(events.c.event_date, events.c.id).limit(limit)
    ).mappings()
    return [dict(r) for r in rows]


def moderation_rows(conn: Connection, since: datetime) -> list[tuple[datetime, str, bool, list]]:
    """``(created_at, status, publishable now, theme ids of its visit)`` per story since ``since``.

    ``status`` is the moderation state (``pending``, ``approved``, ``hidden``, ``withdrawn``);
    ``publishable`` whether the privacy gate lets it out now. The theme ids are those of the
    visit's theme choice (a story record carries none of its own)."""
    story_rows = conn.execute(
        select(
            records.c.id,
            records.c.visit_id,
            records.c.created_at,
            records.c.story,
            records.c.story_redacted,
            records.c.story_status,
            story_privacy.c.dismissed,
            story_privacy.c.manually_flagged,
            story_privacy.c.override_reason,
        )
        .select_from(
            records.outerjoin(story_privacy, and_(story_privacy.c.record_id == records.c.id))
        )
        .where(records.c.kind == "story", records.c.created_at >= since)
    ).mappings()
    stories = [dict(r) for r in story_rows]
    visit_themes: dict[str, list[str]] = {}
    visit_ids = list({s["visit_id"] for s in stories})
    for start in range(0, len(visit_ids), 500):
        chosen = conn.execute(
            select(records.c.visit_id, record_themes.c.theme_id)
            .join(record_themes, record_themes.c.record_id == records.c.id)
            .where(records.c.visit_id.in_(visit_ids[start : start + 500]))
        )
        for visit_id, theme_id in chosen:
            ids = visit_themes.setdefault(visit_id, [])
            if theme_id not in ids:
                ids.append(theme_id)
    out = []
    for s in stories:
        status = s["story_status"] or "pending"
        text = shown_text(s)
        gate = assess(
            text,
            dismissed_keys=s["dismissed"] or (),
            manually_flagged=bool(s["manually_flagged"]),
            override_reason=s["override_reason"],
        )
        ok = publishable(status, text, gate)
        out.append((s["created_at"], status, ok, visit_themes.get(s["visit_id"], [])))
    return out


def theme_view(
    conn: Connection,
    theme_row: dict[str, Any],
    *,
    today: date,
    zone: Any,
    kiosk_ids: Collection[str] | None = None,
    stories: int = 6,
    months: int = 12,
) -> dict[str, Any]:
    """Everything public about one theme (a row from :func:`theme` or :func:`active_themes`):
    the row itself with ``current_step``, ``mood`` (one :class:`~sync.server.domain.
    public_stats.MonthMood` per month of the last ``months``), ``visits`` (in that window,
    None below the minimum), ``stories`` (publishable only) and ``next_event``.

    The mood and visits are region-wide even for a library (``kiosk_ids``): per-library faces
    beside the region's would let the difference give away a small library's month."""
    window = months_back(today, months)
    start = datetime.combine(window[0], datetime.min.time(), tzinfo=zone)
    visits = theme_visits(conn, theme_row["id"], since=start)
    mood = mood_by_month(visits, window, zone)
    return {
        **theme_row,
        "current_step": current_step_index(theme_row["steps"], today),
        "mood": mood,
        "stories": list(
            publishable_stories(conn, limit=stories, theme_id=theme_row["id"], kiosk_ids=kiosk_ids)
        ),
        "next_event": next(iter(upcoming_events(conn, today, kiosk_ids=kiosk_ids, limit=1)), None),
        "visits": shown_count(sum(1 for when, _ in visits if month_key(when, zone) >= window[0])),
    }
