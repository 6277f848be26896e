"""Build the kiosk-config document (``sync.protocol.KioskConfig``) from the server's tables.

A caller may rely on: active themes in ``sort_order``; a velho only when the theme has one, its
contact only when staff made it public; every path step in date order; the latest status
updates first; one ``mood_weeks`` entry for each of the recent ISO weeks (oldest first, zero
counts included) counting the ratings of visits that chose the theme; the kiosk's active event
and the events its staff may switch to (``sync.server.db.events``); approved stories that pass the
privacy gate only (``sync.server.db.story_privacy``; redacted text when staff redacted one),
newest first. :func:`config_etag` is the same for the
same content whatever ``generated_at`` says.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, select

from sync.protocol import (
    EventInfo,
    KioskConfig,
    Localized,
    MoodWeek,
    PathStep,
    StatusUpdate,
    ThemeInfo,
    Velho,
    WallStory,
    canonical_json,
)
from sync.server.db.events import events_for_kiosk
from sync.server.db.story_privacy import publishable_stories
from sync.server.db.superseded import counts as counted
from sync.server.db.tables import record_themes, records, theme_steps, theme_updates, themes
from sync.server.domain import stats

__all__ = ["build_kiosk_config", "config_etag", "iso_week"]


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _recent_weeks(today: date, count: int) -> list[str]:
    monday = today - timedelta(days=today.weekday())
    return [iso_week(monday - timedelta(weeks=n)) for n in range(count - 1, -1, -1)]


def _mood_weeks(conn: Connection, theme_ids: list[str], now: datetime, weeks: int) -> dict:
    """theme id -> week -> face -> count, for ratings of visits that chose the theme."""
    out: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    if not theme_ids or weeks <= 0:
        return out
    today = now.astimezone(UTC).date()
    since = datetime.combine(
        today - timedelta(days=today.weekday(), weeks=weeks - 1), datetime.min.time(), UTC
    )
    # A visit counts for a theme when it chose that theme (in its last themes record, or in a
    # story record carrying theme ids: sync.server.db.superseded), once, with its last face;
    # quick repeats (rapid_repeat) are left out, as on the staff pictures
    # (sync.server.domain.stats.visit_faces).
    chosen = records.alias("chosen")
    query = (
        select(
            records.c.id,
            records.c.visit_id,
            record_themes.c.theme_id,
            records.c.created_at,
            records.c.rating,
            records.c.flags,
        )
        # No DISTINCT (PostgreSQL cannot compare json): a rating seen twice (its visit chose the
        # theme in two records) counts once below, per theme and visit.
        .select_from(
            records.join(chosen, chosen.c.visit_id == records.c.visit_id).join(
                record_themes, record_themes.c.record_id == chosen.c.id
            )
        )
        .where(
            records.c.kind == "rating",
            records.c.created_at >= since,
            record_themes.c.theme_id.in_(theme_ids),
            counted(chosen),
        )
    )
    rows = [dict(r) for r in conn.execute(query).mappings()]
    for row in rows:
        if row["created_at"].tzinfo is None:  # SQLite hands back naive datetimes; they are UTC
            row["created_at"] = row["created_at"].replace(tzinfo=UTC)
    faces = stats.visit_faces(rows)
    for theme_id, visit_id in sorted({(r["theme_id"], r["visit_id"]) for r in rows}):
        if visit_id not in faces:
            continue
        created_at, rating = faces[visit_id]
        week = iso_week(created_at.astimezone(UTC).date())
        counts = out[theme_id][week]
        counts[str(rating)] = counts.get(str(rating), 0) + 1
    return out


def _loc(row, prefix: str) -> Localized:
    return Localized(
        fi=getattr(row, f"{prefix}_fi") or "",
        sv=getattr(row, f"{prefix}_sv") or "",
        en=getattr(row, f"{prefix}_en") or "",
    )


def _paths(conn: Connection, ids: list[str]) -> defaultdict[str, list[PathStep]]:
    steps: defaultdict[str, list[PathStep]] = defaultdict(list)
    for s in conn.execute(
        select(theme_steps)
        .where(theme_steps.c.theme_id.in_(ids))
        .order_by(theme_steps.c.theme_id, theme_steps.c.step_date, theme_steps.c.id)
    ):
        steps[s.theme_id].append(
            PathStep(date=s.step_date.isoformat(), title=_loc(s, "title"), done=bool(s.done))
        )
    return steps


def _latest_updates(
    conn: Connection, ids: list[str], latest: int
) -> defaultdict[str, list[StatusUpdate]]:
    updates: defaultdict[str, list[StatusUpdate]] = defaultdict(list)
    for u in conn.execute(
        select(theme_updates)
        .where(theme_updates.c.theme_id.in_(ids))
        .order_by(theme_updates.c.update_date.desc(), theme_updates.c.id.desc())
    ):
        if len(updates[u.theme_id]) < latest:
            updates[u.theme_id].append(
                StatusUpdate(date=u.update_date.isoformat(), text=_loc(u, "text"))
            )
    return updates


def _velho(theme) -> Velho | None:
    if not theme.velho_name:
        return None
    return Velho(
        name=theme.velho_name,
        role=_loc(theme, "velho_role"),
        contact=theme.velho_contact if theme.velho_contact_public else None,
        photo_url=theme.velho_photo_url or None,
    )


def _themes(conn: Connection, now: datetime, weeks: int, latest_updates: int) -> list[ThemeInfo]:
    theme_rows = conn.execute(
        # A draft theme reaches no kiosk until staff publish it.
        select(themes)
        .where(themes.c.active.is_(True), themes.c.draft.is_(False))
        .order_by(themes.c.sort_order, themes.c.id)
    ).all()
    ids = [t.id for t in theme_rows]
    if not ids:
        return []
    steps = _paths(conn, ids)
    updates = _latest_updates(conn, ids, latest_updates)
    moods = _mood_weeks(conn, ids, now, weeks)
    week_names = _recent_weeks(now.astimezone(UTC).date(), weeks)
    return [
        ThemeInfo(
            id=t.id,
            name=_loc(t, "name"),
            velho=_velho(t),
            path=steps[t.id],
            updates=updates[t.id],
            mood_weeks=[
                MoodWeek(
                    week=w, counts={str(f): moods[t.id][w].get(str(f), 0) for f in (1, 2, 3, 4)}
                )
                for w in week_names
            ],
        )
        for t in theme_rows
    ]


def _event_info(row) -> EventInfo:
    return EventInfo(
        id=row.id,
        name=_loc(row, "name"),
        date=row.event_date.isoformat(),
        question=_loc(row, "question"),
        location=row.location or "",
        answers=[Localized(**label) for label in row.answer_labels or []],
    )


def _stories(conn: Connection, limit: int) -> list[WallStory]:
    # Only what passes the privacy gate: the gate is enforced here, where the wall is built,
    # not only in the moderation form.
    return [
        WallStory(id=s["id"], text=s["text"], lang=s["lang"], theme_ids=s["theme_ids"])
        for s in publishable_stories(conn, limit=limit)
    ]


def build_kiosk_config(
    conn: Connection,
    *,
    kiosk_id: str,
    public_base_url: str,
    age_groups: list[str],
    districts: list[str],
    mood_weeks: int = 8,
    latest_updates: int = 5,
    wall_stories: int = 30,
    now: datetime | None = None,
) -> KioskConfig:
    now = now or datetime.now(UTC)
    active, switchable = events_for_kiosk(conn, kiosk_id, now.astimezone(UTC).date())
    return KioskConfig(
        generated_at=now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        public_base_url=public_base_url.rstrip("/"),
        event=_event_info(active) if active is not None else None,
        events=[_event_info(row) for row in switchable],
        themes=_themes(conn, now, mood_weeks, latest_updates),
        stories=_stories(conn, wall_stories),
        age_groups=list(age_groups),
        districts=list(districts),
    )


def config_etag(config: KioskConfig) -> str:
    """A weak ETag over everything but ``generated_at``."""
    content = config.model_dump(mode="json", exclude={"generated_at"})
    return 'W/"' + hashlib.sha256(canonical_json(content)).hexdigest()[:32] + '"'
