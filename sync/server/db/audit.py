"""The audit trail in the database: append an entry, read entries with filters, purge old ones.

A caller may rely on: :func:`append` writing in the caller's transaction (so an action and its
entry are committed together or not at all); :func:`entries` returning newest first with a
stable order (time, then id) for paging; :func:`purge_before` being the only way anything is
removed — the database itself refuses to update an entry or delete one younger than a year.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select

from sync.server.db.engine import write_connection
from sync.server.db.tables import audit_log
from sync.server.domain.audit import Actor

__all__ = ["AuditFilter", "append", "count", "entries", "purge_before", "record"]

_MAX_TEXT = {"actor": 100, "address": 64, "action": 64, "target": 200}


def append(
    conn: Connection,
    actor: Actor,
    action: str,
    target: str = "",
    details: Mapping[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> None:
    """Append one entry. ``details`` is what was done: filters of an export, before and after of
    an edit, the reason of an override."""
    conn.execute(
        insert(audit_log).values(
            at=now or datetime.now(UTC),
            actor=_storable(actor.name or "?")[: _MAX_TEXT["actor"]],
            address=_storable(actor.address or "")[: _MAX_TEXT["address"]],
            action=_storable(action)[: _MAX_TEXT["action"]],
            target=_storable(target or "")[: _MAX_TEXT["target"]],
            details=_storable(dict(details or {})),
        )
    )


def _storable(value: Any) -> Any:
    """``value`` with NUL characters replaced: what is audited may be what an attacker sent
    (a refused file's kiosk id), and PostgreSQL cannot store NUL in text or JSON."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


def record(
    engine: Engine,
    actor: Actor,
    action: str,
    target: str = "",
    details: Mapping[str, Any] | None = None,
) -> None:
    """Append one entry in a transaction of its own (for actions that write nothing else, such
    as an export)."""
    with write_connection(engine) as conn:
        append(conn, actor, action, target, details)


@dataclass(frozen=True)
class AuditFilter:
    """What the audit page and its export may filter on; empty fields filter nothing."""

    actor: str = ""
    action: str = ""
    target: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def conditions(self) -> list:
        conds = []
        if self.actor:
            conds.append(func.lower(audit_log.c.actor) == self.actor.lower())
        if self.action:
            conds.append(audit_log.c.action == self.action)
        if self.target:
            conds.append(audit_log.c.target == self.target)
        if self.since is not None:
            conds.append(audit_log.c.at >= self.since)
        if self.until is not None:
            conds.append(audit_log.c.at < self.until)
        return conds


def entries(
    conn: Connection,
    where: AuditFilter = AuditFilter(),
    *,
    limit: int | None = 100,
    offset: int = 0,
) -> Iterator[Mapping[str, Any]]:
    """Entries matching ``where``, newest first."""
    query = (
        select(audit_log)
        .where(*where.conditions())
        .order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    for row in conn.execution_options(yield_per=500).execute(query).mappings():
        item = dict(row)
        if item["at"].tzinfo is None:  # SQLite hands back naive datetimes; they are UTC
            item["at"] = item["at"].replace(tzinfo=UTC)
        yield item


def count(conn: Connection, where: AuditFilter = AuditFilter()) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(audit_log).where(*where.conditions())
        ).scalar_one()
    )


def purge_before(conn: Connection, cutoff: datetime) -> int:
    """Delete entries older than ``cutoff``; returns how many went."""
    result = conn.execute(delete(audit_log).where(audit_log.c.at < cutoff))
    return int(result.rowcount or 0)
