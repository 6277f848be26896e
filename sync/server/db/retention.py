"""Retention on the server: what ``kiosk-server purge`` erases, and the follow-up tombstones.

A caller may rely on: :func:`purge` changing nothing unless ``apply=True`` and returning the
same counts either way (a dry run shows exactly what an applied run would erase); story text
going (``story`` and ``story_redacted`` NULL) once its event ended ``story_months`` ago — a
record whose event is unknown counts from its own time; a visit's follow-up token replaced by
its :func:`tombstone` once the visit is ``follow_up_months`` old (and its short code removed), so
the token is gone from the database yet its page can still say "this page has expired"; after
an applied purge the erased tables are vacuumed (:mod:`sync.server.db.erasure`); audit entries older than
``audit_days`` deleted; counts and aggregates (ratings, themes, age groups) untouched.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, and_, func, or_, select, update

from sync.server.db import audit
from sync.server.db.engine import write_connection
from sync.server.db.erasure import vacuum_erased_tables
from sync.server.db.tables import events, records
from sync.server.domain.audit import Actor

__all__ = [
    "AUDIT_MIN_DAYS",
    "TOMBSTONE_PREFIX",
    "PurgeReport",
    "RetentionPolicy",
    "follow_up_expired",
    "months_before",
    "purge",
    "tombstone",
]

PURGE_ACTOR = Actor("purge")
# The floor the database itself enforces (see the audit_log triggers in the migrations).
AUDIT_MIN_DAYS = 365
# "~" is outside the token alphabet, so no request can ever match a tombstone directly.
TOMBSTONE_PREFIX = "~"


def tombstone(token: str) -> str:
    """What replaces an expired follow-up token: a one-way digest that fits the column."""
    return TOMBSTONE_PREFIX + hashlib.sha256(token.encode("utf-8")).hexdigest()[:63]


def months_before(moment: datetime, months: int) -> datetime:
    """``moment`` minus whole calendar months (the day clamped to the month's length)."""
    year, month = divmod(moment.year * 12 + (moment.month - 1) - months, 12)
    month += 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


@dataclass(frozen=True)
class RetentionPolicy:
    story_months: int
    follow_up_months: int
    audit_days: int

    def __post_init__(self) -> None:
        for name in ("story_months", "follow_up_months", "audit_days"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.audit_days < AUDIT_MIN_DAYS:
            raise ValueError(
                f"audit_retention_days must be at least {AUDIT_MIN_DAYS}: the database keeps "
                "every audit entry for a year"
            )


@dataclass(frozen=True)
class PurgeReport:
    stories: int
    follow_up_visits: int
    audit_entries: int
    applied: bool

    def as_dict(self) -> dict:
        return asdict(self)


def _story_condition(now: datetime, months: int):
    cutoff = months_before(now, months)
    # The event's day has ended by the start of the next day; a story is kept at least as long
    # after its own time too (a story sent after its event's day).
    event_end_before = select(events.c.id).where(events.c.event_date < cutoff.date())
    return and_(
        records.c.kind == "story",
        or_(records.c.story.is_not(None), records.c.story_redacted.is_not(None)),
        records.c.created_at < cutoff,
        or_(
            records.c.event_id.in_(event_end_before),
            records.c.event_id.not_in(select(events.c.id)),
        ),
    )


def _expired_tokens(conn, now: datetime, months: int) -> list[str]:
    cutoff = months_before(now, months)
    newest = func.max(records.c.created_at)
    rows = conn.execute(
        select(records.c.follow_up_token)
        .where(~records.c.follow_up_token.startswith(TOMBSTONE_PREFIX))
        .group_by(records.c.follow_up_token)
        .having(newest < cutoff)
    )
    return [r[0] for r in rows]


def purge(
    engine: Engine,
    policy: RetentionPolicy,
    *,
    apply: bool = False,
    now: datetime | None = None,
    actor: Actor = PURGE_ACTOR,
) -> PurgeReport:
    """Erase what is past its retention (or, without ``apply``, count it)."""
    now = now or datetime.now(UTC)
    audit_cutoff = now - timedelta(days=policy.audit_days)
    with write_connection(engine) as conn:
        story_cond = _story_condition(now, policy.story_months)
        stories = int(
            conn.execute(select(func.count()).select_from(records).where(story_cond)).scalar_one()
        )
        tokens = _expired_tokens(conn, now, policy.follow_up_months)
        audit_count = audit.count(conn, audit.AuditFilter(until=audit_cutoff))
        report = PurgeReport(stories, len(tokens), audit_count, apply)
        if not apply:
            return report
        conn.execute(update(records).where(story_cond).values(story=None, story_redacted=None))
        for token in tokens:
            # The short code goes too: it opened the same page.
            conn.execute(
                update(records)
                .where(records.c.follow_up_token == token)
                .values(follow_up_token=tombstone(token), short_code=None)
            )
        audit.purge_before(conn, audit_cutoff)
        audit.append(conn, actor, "purge", "", report.as_dict(), now=now)
    # Erased means gone from the database files too: SQLite's WAL is checkpointed (with
    # secure_delete on, freed pages are zeroed); PostgreSQL's VACUUM frees the dead rows.
    vacuum_erased_tables(engine)
    return report


def follow_up_expired(newest_record_at: datetime, months: int, now: datetime) -> bool:
    """True when a visit whose newest record is from ``newest_record_at`` is past its page."""
    if newest_record_at.tzinfo is None:  # SQLite hands back naive UTC
        newest_record_at = newest_record_at.replace(tzinfo=UTC)
    return newest_record_at < months_before(now, months)
