"""Story moderation in the database: the queue staff read and the actions they take on a story.

A caller may rely on: :func:`moderate_story` doing the action, the gate bookkeeping and the
audit entry in ONE transaction; approving a story with open personal-data findings raising
:class:`~sync.server.domain.privacy_gate.GateClosed` unless a reason of at least
:data:`~sync.server.domain.privacy_gate.MIN_REASON_CHARS` characters is given (that is the
override, kept with who and when); a withdrawn story refusing every action (the visitor's word
wins); errors being ``ValueError`` sentences a moderator can act on, ``LookupError`` for an
unknown story (or one from a kiosk outside the ``scope``, which every function takes; the
default is every site).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, or_, select, update

from sync.server.db import audit
from sync.server.db.engine import write_connection
from sync.server.db.roles import kiosk_in_scope
from sync.server.db.story_privacy import attach_privacy, privacy_of, set_privacy, shown_text
from sync.server.db.tables import records
from sync.server.domain.audit import Actor
from sync.server.domain.moderation import redact
from sync.server.domain.privacy_gate import (
    MIN_REASON_CHARS,
    GateClosed,
    finding_key,
    redact_all,
)
from sync.server.domain.roles import EVERYTHING, Scope

__all__ = [
    "ACTIONS",
    "PENDING",
    "STORY_STATUSES",
    "moderate_story",
    "story_counts",
    "story_queue",
]

PENDING = "pending"
STORY_STATUSES = ("pending", "approved", "hidden", "withdrawn")
ACTIONS = ("approve", "hide", "pending", "redact", "redact_all", "dismiss", "flag", "unflag")


def story_queue(
    conn: Any,
    status: str = PENDING,
    limit: int = 200,
    offset: int = 0,
    scope: Scope = EVERYTHING,
) -> list[dict]:
    """Stories with ``status`` (pending includes never-moderated ones); flagged ones first, then
    oldest first. The record id breaks ties, so pages read with ``limit`` and ``offset`` neither
    skip nor repeat a story. Each row carries ``privacy`` (open and dismissed findings, the
    manual flag, the override) and ``findings`` (the open ones, for older callers)."""
    if status == PENDING:
        cond = or_(records.c.story_status.is_(None), records.c.story_status == PENDING)
    else:
        cond = records.c.story_status == status
    rows = [
        dict(r)
        for r in conn.execute(
            select(records)
            .where(records.c.kind == "story", cond, kiosk_in_scope(records.c.kiosk_id, scope))
            .order_by(records.c.personal_data_suspected.desc(), records.c.created_at, records.c.id)
            .limit(limit)
            .offset(offset)
        ).mappings()
    ]
    for row in attach_privacy(conn, rows):
        row["findings"] = list(row["privacy"].open_findings)
    return rows


def story_counts(conn: Any, scope: Scope = EVERYTHING) -> dict[str, int]:
    status = func.coalesce(records.c.story_status, PENDING)
    rows = conn.execute(
        select(status, func.count())
        .where(records.c.kind == "story", kiosk_in_scope(records.c.kiosk_id, scope))
        .group_by(status)
    ).all()
    return {s: 0 for s in STORY_STATUSES} | {s: int(n) for s, n in rows}


def moderate_story(
    engine: Engine,
    record_id: str,
    action: str,
    actor: Actor,
    *,
    passage: str = "",
    finding: str = "",
    reason: str = "",
    now: datetime | None = None,
    scope: Scope = EVERYTHING,
) -> str:
    """Do ``action`` on a story; returns the audit action name that was recorded.

    ``approve`` (with ``reason`` to publish despite open findings), ``hide``, ``pending`` (back
    to the queue), ``redact`` a ``passage``, ``redact_all`` open findings, ``dismiss`` one
    ``finding`` (its key, ``kind:text``), ``flag`` / ``unflag`` the manual personal-data mark.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown moderation action {action!r}")
    now = now or datetime.now(UTC)
    with write_connection(engine) as conn:
        row = (
            conn.execute(
                select(
                    records.c.id, records.c.story, records.c.story_redacted, records.c.story_status
                ).where(
                    records.c.id == record_id,
                    records.c.kind == "story",
                    kiosk_in_scope(records.c.kiosk_id, scope),
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            raise LookupError("no such story")
        if row["story_status"] == "withdrawn":
            raise ValueError("the visitor withdrew this story; it can no longer be changed")
        privacy = privacy_of(conn, row)
        values: dict[str, Any] = {"moderated_at": now, "moderated_by": actor.name}
        details: dict[str, Any] = {}
        audit_action = f"story_{action}"
        if action == "approve":
            reason = reason.strip()
            if privacy.has_open_findings and not privacy.override_reason:
                if len(reason) < MIN_REASON_CHARS:
                    raise GateClosed(
                        "This story may contain personal data. Remove or dismiss each finding, "
                        "or write why it may be published anyway."
                    )
                set_privacy(
                    conn, record_id, override_reason=reason, override_by=actor.name, override_at=now
                )
                audit_action = "story_approve_override"
                details = {
                    "reason": reason,
                    "open_findings": [f.kind for f in privacy.open_findings]
                    + (["manual"] if privacy.manually_flagged else []),
                }
            values["story_status"] = "approved"
        elif action in ("hide", "pending"):
            values["story_status"] = "hidden" if action == "hide" else PENDING
        elif action == "redact":
            before = shown_text(row)
            values["story_redacted"] = redact(before, passage)
            details = {"passage_length": len(passage.strip())}
        elif action == "redact_all":
            values["story_redacted"] = redact_all(shown_text(row), privacy.open_findings)
            details = {"findings": [f.kind for f in privacy.open_findings]}
        elif action == "dismiss":
            keys = {finding_key(f) for f in privacy.open_findings}
            if finding not in keys:
                raise ValueError("That finding is no longer in the story.")
            dismissed = sorted({finding_key(f) for f in privacy.dismissed} | {finding})
            set_privacy(conn, record_id, dismissed=dismissed)
            details = {"kind": finding.split(":", 1)[0]}
        elif action in ("flag", "unflag"):
            flagged = action == "flag"
            changes: dict[str, Any] = {"manually_flagged": flagged}
            if flagged:
                # A new concern undoes an earlier "publish anyway", and takes the story off the
                # wall until someone looks again.
                changes |= {"override_reason": None, "override_by": None, "override_at": None}
                if row["story_status"] == "approved":
                    values["story_status"] = PENDING
            set_privacy(conn, record_id, **changes)
        conn.execute(update(records).where(records.c.id == record_id).values(**values))
        audit.append(conn, actor, audit_action, record_id, details, now=now)
    return audit_action
