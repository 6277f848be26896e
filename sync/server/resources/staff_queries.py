"""Database reads and writes behind the staff pages (SQLAlchemy Core, SQLite and PostgreSQL):
kiosks and batches, exports, story moderation and the pictures' raw rows. Themes and events
are in :mod:`staff_plan_queries`.

Each function takes a Connection (reads) or an Engine (writes, through ``write_connection``) and
returns plain mappings; nothing here renders or knows HTTP. Writes raise ``ValueError`` with a
sentence naming the field when the input is wrong, and change nothing in that case.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    case,
    func,
    or_,
    select,
    true,
    update,
)

from sync.server.db.engine import write_connection
from sync.server.db.superseded import counts as counted
from sync.server.db.superseded import superseded
from sync.server.db.tables import (
    batches,
    kiosks,
    record_themes,
    records,
)
from sync.server.domain.moderation import find_personal_data, redact

__all__ = [
    "PENDING",
    "SILENT_AFTER",
    "STORY_STATUSES",
    "batch_detail",
    "batch_list",
    "chart_rows",
    "export_records",
    "kiosk_overview",
    "moderate_story",
    "story_counts",
    "story_queue",
    "today_utc",
]

SILENT_AFTER = timedelta(hours=24)
PENDING = "pending"
STORY_STATUSES = ("pending", "approved", "hidden", "withdrawn")


def _utc(value: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes for timezone-aware columns; they are UTC by convention.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


# --- overview and batches


def kiosk_overview(conn: Connection, now: datetime) -> list[dict]:
    """Per kiosk (site order): last batch, records today and this ISO week, silence warning."""
    today = datetime(now.year, now.month, now.day, tzinfo=UTC)
    week_start = today - timedelta(days=today.weekday())
    last_batch = (
        select(batches.c.kiosk_id, func.max(batches.c.received_at).label("last_batch_at"))
        .group_by(batches.c.kiosk_id)
        .subquery()
    )
    counts = (
        select(
            records.c.kiosk_id,
            func.sum(case((records.c.created_at >= today, 1), else_=0)).label("today"),
            func.count().label("week"),
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


def batch_list(conn: Connection, kiosk_id: str | None = None, limit: int = 200, offset: int = 0):
    """Newest batches first, with their kiosk's name and site."""
    query = (
        select(batches, kiosks.c.name.label("kiosk_name"), kiosks.c.site)
        .join(kiosks, kiosks.c.id == batches.c.kiosk_id)
        .order_by(batches.c.received_at.desc(), batches.c.batch_id)
        .limit(limit)
        .offset(offset)
    )
    if kiosk_id:
        query = query.where(batches.c.kiosk_id == kiosk_id)
    return [
        dict(r) | {"received_at": _utc(r["received_at"])} for r in conn.execute(query).mappings()
    ]


def batch_detail(conn: Connection, batch_id: str) -> tuple[dict | None, list[dict]]:
    """The batch row and its records (oldest first), or (None, []) when there is no such batch."""
    batch = (
        conn.execute(
            select(batches, kiosks.c.name.label("kiosk_name"), kiosks.c.site)
            .join(kiosks, kiosks.c.id == batches.c.kiosk_id)
            .where(batches.c.batch_id == batch_id)
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
) -> Iterator[Mapping]:
    """Records in creation order, streamed; filters are ANDed when given. A visit's rating and
    themes are its last ones: earlier answers it replaced by going back stay stored, not exported
    (sync.server.db.superseded)."""
    query = select(records).where(counted()).order_by(records.c.created_at, records.c.id)
    if event_id:
        query = query.where(records.c.event_id == event_id)
    if batch_id:
        query = query.where(records.c.batch_id == batch_id)
    if kiosk_id:
        query = query.where(records.c.kiosk_id == kiosk_id)
    result = conn.execution_options(yield_per=500).execute(query).mappings()
    yield from result


# --- stories


def story_queue(
    conn: Connection, status: str = PENDING, limit: int = 200, offset: int = 0
) -> list[dict]:
    """Stories with ``status`` (pending includes never-moderated ones); flagged ones first, then
    oldest first. The record id breaks ties, so pages read with ``limit`` and ``offset`` neither
    skip nor repeat a story."""
    if status == PENDING:
        cond = or_(records.c.story_status.is_(None), records.c.story_status == PENDING)
    else:
        cond = records.c.story_status == status
    rows = conn.execute(
        select(records)
        .where(records.c.kind == "story", cond)
        .order_by(records.c.personal_data_suspected.desc(), records.c.created_at, records.c.id)
        .limit(limit)
        .offset(offset)
    ).mappings()
    out = []
    for row in rows:
        item = dict(row)
        item["findings"] = find_personal_data(item["story_redacted"] or item["story"])
        out.append(item)
    return out


def story_counts(conn: Connection) -> dict[str, int]:
    status = func.coalesce(records.c.story_status, PENDING)
    rows = conn.execute(
        select(status, func.count()).where(records.c.kind == "story").group_by(status)
    ).all()
    return {s: 0 for s in STORY_STATUSES} | {s: int(n) for s, n in rows}


def moderate_story(
    engine: Engine, record_id: str, action: str, staff: str, passage: str = ""
) -> None:
    """``approve``, ``hide``, ``pending`` (back to the queue) or ``redact`` a passage.

    A withdrawn story stays withdrawn: the visitor's word wins over any moderator action.
    """
    if action not in ("approve", "hide", "pending", "redact"):
        raise ValueError(f"unknown moderation action {action!r}")
    now = datetime.now(UTC)
    with write_connection(engine) as conn:
        row = conn.execute(
            select(records.c.story, records.c.story_redacted, records.c.story_status).where(
                records.c.id == record_id, records.c.kind == "story"
            )
        ).first()
        if row is None:
            raise LookupError("no such story")
        if row.story_status == "withdrawn":
            raise ValueError("the visitor withdrew this story; it can no longer be changed")
        values: dict = {"moderated_at": now, "moderated_by": staff}
        if action == "redact":
            values["story_redacted"] = redact(row.story_redacted or row.story or "", passage)
        else:
            values["story_status"] = {"approve": "approved", "hide": "hidden"}.get(action, PENDING)
        conn.execute(update(records).where(records.c.id == record_id).values(**values))


# --- pictures


def _visits_with_theme(theme_id: str):
    return (
        select(records.c.visit_id)
        .join(record_themes, record_themes.c.record_id == records.c.id)
        .where(record_themes.c.theme_id == theme_id, counted())
    )


def chart_rows(conn: Connection, theme_id: str | None, event_id: str | None) -> dict:
    """Raw rows for the three pictures, filtered to a theme's visits and/or an event; one rating
    and one choice of themes per visit, its last (sync.server.db.superseded)."""
    conds = []
    if event_id:
        conds.append(records.c.event_id == event_id)
    if theme_id:
        conds.append(records.c.visit_id.in_(_visits_with_theme(theme_id)))
    where = and_(true(), *conds)
    faces = [
        (_utc(r.created_at), r.rating)
        for r in conn.execute(
            select(records.c.created_at, records.c.rating).where(
                where, records.c.kind == "rating", counted()
            )
        )
    ]
    theme_conds = [records.c.kind == "themes", counted()]
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
    return {"faces": faces, "theme_counts": [(t, int(n)) for t, n in chosen], "people": people}


def today_utc() -> date:
    return datetime.now(UTC).date()
