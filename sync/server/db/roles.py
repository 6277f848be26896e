"""Roles and sites in the database: an account's role and sites, the accounts list, and the SQL
condition that keeps a query inside a :class:`~sync.server.domain.roles.Scope`.

A caller may rely on: :func:`kiosk_in_scope` being a condition on a kiosk-id column (records,
batches, kiosks) that is simply true for :data:`~sync.server.domain.roles.EVERYTHING`;
:func:`site_in_scope` the same for a nullable ``site`` column of themes and events (region-wide
rows are always readable); :func:`set_role` replacing role and sites in one transaction with an
audit entry, and ending the account's sessions (so the new scope holds at once).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, true, update

from sync.server.db import audit
from sync.server.db.engine import write_connection
from sync.server.db.sessions import SESSION_MAX_AGE, revoke_all_for_user
from sync.server.db.tables import kiosks, staff_sessions, staff_user_sites, staff_users
from sync.server.domain.audit import Actor
from sync.server.domain.roles import EVERYTHING, Scope, check_role_sites

__all__ = [
    "account_list",
    "account_sites",
    "known_sites",
    "kiosk_in_scope",
    "replace_sites",
    "set_role",
    "site_in_scope",
]


def kiosk_in_scope(column: Any, scope: Scope = EVERYTHING) -> Any:
    """``column`` (a kiosk id) belongs to a kiosk of the scope's sites."""
    if scope.sites is None:
        return true()
    return column.in_(select(kiosks.c.id).where(kiosks.c.site.in_(sorted(scope.sites))))


def site_in_scope(column: Any, scope: Scope = EVERYTHING) -> Any:
    """A theme's or event's ``site`` is region-wide (NULL) or one of the scope's sites."""
    if scope.sites is None:
        return true()
    return column.is_(None) | column.in_(sorted(scope.sites))


def account_sites(conn: Connection, user_id: int) -> list[str]:
    return list(
        conn.execute(
            select(staff_user_sites.c.site)
            .where(staff_user_sites.c.user_id == user_id)
            .order_by(staff_user_sites.c.site)
        ).scalars()
    )


def known_sites(conn: Connection) -> list[str]:
    """Every site a kiosk has, for the accounts form."""
    return list(conn.execute(select(kiosks.c.site).distinct().order_by(kiosks.c.site)).scalars())


def replace_sites(conn: Connection, user_id: int, sites: Iterable[str]) -> None:
    conn.execute(delete(staff_user_sites).where(staff_user_sites.c.user_id == user_id))
    for site in sites:
        conn.execute(insert(staff_user_sites).values(user_id=user_id, site=site))


def account_list(conn: Connection, *, now: datetime | None = None) -> list[dict]:
    """Every account, by name: role, sites, disabled, how many sessions are open (not ended and
    younger than a working day; an idle one may still count)."""
    now = now or datetime.now(UTC)
    rows = [
        dict(r)
        for r in conn.execute(
            select(
                staff_users.c.id,
                staff_users.c.username,
                staff_users.c.role,
                staff_users.c.created_at,
                staff_users.c.disabled_at,
            ).order_by(staff_users.c.username)
        ).mappings()
    ]
    sites: dict[int, list[str]] = {}
    for user_id, site in conn.execute(
        select(staff_user_sites.c.user_id, staff_user_sites.c.site).order_by(
            staff_user_sites.c.site
        )
    ):
        sites.setdefault(user_id, []).append(site)
    open_sessions: dict[int, int] = {}
    for (user_id,) in conn.execute(
        select(staff_sessions.c.user_id).where(
            staff_sessions.c.revoked_at.is_(None),
            staff_sessions.c.created_at > now - SESSION_MAX_AGE,
        )
    ):
        open_sessions[user_id] = open_sessions.get(user_id, 0) + 1
    for row in rows:
        row["sites"] = sites.get(row["id"], [])
        row["sessions"] = open_sessions.get(row["id"], 0)
    return rows


def set_role(
    engine: Engine, user_id: int, role: str, sites: Iterable[str], actor: Actor
) -> Mapping[str, Any]:
    """Give the account ``role`` and ``sites``; ends its sessions so the change holds at once.
    Returns the before and after written to the audit trail. LookupError: no such account;
    ValueError: a role and sites that do not fit (:func:`check_role_sites`)."""
    cleaned = check_role_sites(role, sites)
    now = datetime.now(UTC)
    with write_connection(engine) as conn:
        row = conn.execute(
            select(staff_users.c.username, staff_users.c.role).where(staff_users.c.id == user_id)
        ).first()
        if row is None:
            raise LookupError("no such account")
        before = {"role": row.role, "sites": account_sites(conn, user_id)}
        conn.execute(update(staff_users).where(staff_users.c.id == user_id).values(role=role))
        replace_sites(conn, user_id, cleaned)
        revoke_all_for_user(conn, user_id, now=now)
        details = {"before": before, "after": {"role": role, "sites": cleaned}}
        audit.append(conn, actor, "account_change", row.username, details, now=now)
        return details
