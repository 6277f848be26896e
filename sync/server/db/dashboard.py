"""Database reads and writes behind the staff pages (SQLAlchemy Core, SQLite and PostgreSQL):
kiosks and batches, exports, story moderation and the pictures' raw rows. Themes and events
are in :mod:`sync.server.db.plans`.

Each function takes a Connection (reads) or an Engine (writes, through ``write_connection``) and
returns plain mappings; nothing here renders or knows HTTP. Writes raise ``ValueError`` with a
sentence naming the field when the input is wrong, and change nothing in that case.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo

from sqlalchemy import (
    Connection,
    and_,
    case,
    distinct,
    func,
    select,
    true,
)

from sync.server.db.roles import kiosk_in_scope
from sync.server.db.story_moderation import (
    PENDING,
    STORY_STATUSES,
    moderate_story,
    story_counts,
    story_queue,
)
from sync.server.db.superseded import counts as counted
from sync.server.db.superseded import superseded
from sync.server.db.tables import (
    batches,
    kiosks,
    record_themes,
    records,
    story_privacy,
)
from sync.server.domain.roles import EVERYTHING, Scope

__all__ = [
    "PENDING",
    "SILENT_AFTER",
    "STORY_STATUSES",
    "batch_detail",
    "batch_list",
    "chart_rows",
    "export_records",
    "kiosk_overview",
    "mood_rows",
    "moderate_story",
    "story_counts",
    "story_queue",
    "today_utc",
]

SILENT_AFTER = timedelta(hours=24)


def _utc(value: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes for timezone-aware columns; they are UTC by convention.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


# --- overview and batches


def kiosk_overview(
    conn: Connection, now: datetime, zone: tzinfo = UTC, scope: Scope = EVERYTHING
) -> list[dict]:
    """Per kiosk (site order): last batch, visits (not records) today and this ISO week, and the
    silence warning. "Today" and "this week" begin at midnight in ``zone`` (the city's time)."""
    local = now.astimezone(zone)
    midnight = datetime(local.year, local.month, local.day, tzinfo=zone)
    today = midnight.astimezone(UTC)
    week_start = (midnight - timedelta(days=midnight.weekday())).astimezone(UTC)
    last_batch = (
        select(batches.c.kiosk_id, func.max(batches.c.received_at).label("last_batch_at"))
        .group_by(batches.c.kiosk_id)
        .subquery()
    )
    counts = (
        select(
            records.c.kiosk_id,
            # A visit sends several records (face, themes, story); people are visits.
            func.count(distinct(case((records.c.created_at >= today, records.c.visit_id)))).label(
                "today"
            ),
            func.count(distinct(records.c.visit_id)).label("week"),
        )
        .where(records.c.created_at >= week_start)
        .group_by(records.c.kiosk_id)
        .subquery()
    )
    rows = conn.execute(
        select(
            kiosks.c.id,
            kiosks.c.name,
            kiosks.c.site,
            kiosks.c.last_seen_at,
            kiosks.c.disabled_at,
            kiosks.c.reported_pending,
            last_batch.c.last_batch_at,
            counts.c.today,
            counts.c.week,
        )
        .outerjoin(last_batch, last_batch.c.kiosk_id == kiosks.c.id)
        .outerjoin(counts, counts.c.kiosk_id == kiosks.c.id)
        .where(kiosk_in_scope(kiosks.c.id, scope))
        .order_by(kiosks.c.site, kiosks.c.name)
    ).mappings()
    out = []
    for row in rows:
        item = dict(row)
        item["last_seen_at"] = _utc(item["last_seen_at"])
        item["last_batch_at"] = _utc(item["last_batch_at"])
        heard = max((t for t in (item["last_seen_at"], item["last_batch_at"]) if t), default=None)
        item["silent"] = item["disabled_at"] is None and (
            heard is None or now - heard > SILENT_AFTER
        )
        item["today"] = int(item["today"] or 0)
        item["week"] = int(item["week"] or 0)
        out.append(item)
    return out


def batch_list(
    conn: Connection,
    kiosk_id: str | None = None,
    limit: int = 200,
    offset: int = 0,
    scope: Scope = EVERYTHING,
):
    """Newest batches first, with their kiosk's name and site."""
    query = (
        select(batches, kiosks.c.name.label("kiosk_name"), kiosks.c.site)
        .join(kiosks, kiosks.c.id == batches.c.kiosk_id)
        .where(kiosk_in_scope(batches.c.kiosk_id, scope))
        .order_by(batches.c.received_at.desc(), batches.c.batch_id)
        .limit(limit)
        .offset(offset)
    )
    if kiosk_id:
        query = query.where(batches.c.kiosk_id == kiosk_id)
    return [
        dict(r) | {"received_at": _utc(r["received_at"])} for r in conn.execute(query).mappings()
    ]


def batch_detail(
    conn: Connection, batch_id: str, scope: Scope = EVERYTHING
) -> tuple[dict | None, list[dict]]:
    """The batch row and its records (oldest first), or (None, []) when there is no such batch."""
    batch = (
        conn.execute(
            select(batches, kiosks.c.name.label("kiosk_name"), kiosks.c.site)
            .join(kiosks, kiosks.c.id == batches.c.kiosk_id)
            .where(batches.c.batch_id == batch_id, kiosk_in_scope(batches.c.kiosk_id, scope))
        )
        .mappings()
        .first()
    )
    if batch is None:
        return None, []
    rows = conn.execute(
        select(records, superseded().label("superseded"))
        .where(records.c.batch_id == batch_id)
        .order_by(records.c.created_at)
    ).mappings()
    return dict(batch), [dict(r) for r in rows]


def export_records(
    conn: Connection,
    *,
    event_id: str | None = None,
    batch_id: str | None = None,
    kiosk_id: str | None = None,
    scope: Scope = EVERYTHING,
) -> Iterator[Mapping]:
    """Records in creation order, streamed; filters are ANDed when given. A visit's rating and
    themes are its last ones: earlier answers it replaced by going back stay stored, not exported
    (sync.server.db.superseded)."""
    # The privacy gate's columns ride along, so the export can leave out unpublishable text.
    query = (
        select(
            records,
            story_privacy.c.dismissed,
            story_privacy.c.manually_flagged,
            story_privacy.c.override_reason,
        )
        .select_from(records.outerjoin(story_privacy, story_privacy.c.record_id == records.c.id))
        .where(kiosk_in_scope(records.c.kiosk_id, scope), counted())
        .order_by(records.c.created_at, records.c.id)
    )
    if event_id:
        query = query.where(records.c.event_id == event_id)
    if batch_id:
        query = query.where(records.c.batch_id == batch_id)
    if kiosk_id:
        query = query.where(records.c.kiosk_id == kiosk_id)
    result = conn.execution_options(yield_per=500).execute(query).mappings()
    yield from result


# --- stories: sync.server.db.story_moderation (re-exported here for the staff pages)


# --- pictures


def _visits_with_theme(theme_id: str):
    return (
        select(records.c.visit_id)
        .join(record_themes, record_themes.c.record_id == records.c.id)
        .where(record_themes.c.theme_id == theme_id, counted())
    )


_RATING_COLUMNS = (
    records.c.visit_id,
    records.c.created_at,
    records.c.id,
    records.c.rating,
    records.c.flags,
)


def _ratings(conn: Connection, *conds) -> list[dict]:
    """Rating records (visit_id, created_at, id, rating, flags) for ``stats.visit_faces``."""
    return [
        dict(r) | {"created_at": _utc(r["created_at"])}
        for r in conn.execute(
            select(*_RATING_COLUMNS).where(records.c.kind == "rating", *conds)
        ).mappings()
    ]


def _choices(conn: Connection, *conds) -> list[tuple[str, str]]:
    """``(visit_id, theme_id)`` of every theme choice that counts (a visit's last themes
    record and its stories, sync.server.db.superseded)."""
    return [
        (r.visit_id, r.theme_id)
        for r in conn.execute(
            select(records.c.visit_id, record_themes.c.theme_id)
            .join(records, records.c.id == record_themes.c.record_id)
            .where(counted(), *conds)
        )
    ]


def mood_rows(conn: Connection, since: datetime, scope: Scope = EVERYTHING) -> dict:
    """What the overview needs since ``since``: ``ratings`` and theme ``choices`` (mood per
    theme) and ``people`` (who is missing)."""
    recent = and_(records.c.created_at >= since, kiosk_in_scope(records.c.kiosk_id, scope))
    people = [
        dict(r)
        for r in conn.execute(
            select(records.c.visit_id, records.c.age_group, records.c.district).where(recent)
        ).mappings()
    ]
    return {
        "ratings": _ratings(conn, recent),
        "choices": _choices(conn, recent),
        "people": people,
    }


def chart_rows(
    conn: Connection, theme_id: str | None, event_id: str | None, scope: Scope = EVERYTHING
) -> dict:
    """Raw rows for the pictures, filtered to a theme's visits and/or an event: ``ratings``
    (for faces per visit), ``theme_counts``, ``choices`` (event filter only: the mood of every
    theme side by side) and ``people`` (age groups and districts). One choice of themes per
    visit counts, its last (sync.server.db.superseded); ``stats.visit_faces`` picks the last
    rating by the same order."""
    in_scope = kiosk_in_scope(records.c.kiosk_id, scope)
    conds = [in_scope]
    if event_id:
        conds.append(records.c.event_id == event_id)
    if theme_id:
        conds.append(records.c.visit_id.in_(_visits_with_theme(theme_id)))
    where = and_(true(), *conds)
    ratings = _ratings(conn, where)
    event_only = [in_scope] + ([records.c.event_id == event_id] if event_id else [])
    theme_conds = [records.c.kind == "themes", in_scope, counted()]
    if event_id:
        theme_conds.append(records.c.event_id == event_id)
    chosen = conn.execute(
        select(record_themes.c.theme_id, func.count())
        .join(records, records.c.id == record_themes.c.record_id)
        .where(*theme_conds)
        .group_by(record_themes.c.theme_id)
    ).all()
    people = [
        dict(r)
        for r in conn.execute(
            select(records.c.visit_id, records.c.age_group, records.c.district).where(where)
        ).mappings()
    ]
    return {
        "ratings": ratings,
        "theme_counts": [(t, int(n)) for t, n in chosen],
        "choices": _choices(conn, *event_only),
        "people": people,
    }


def today_utc() -> date:
    return datetime.now(UTC).date()
