"""What staff sign-in reads: active accounts (the throttling is :mod:`sync.server.db.login_attempts`,
the sessions :mod:`sync.server.db.sessions`).

A caller may rely on: disabled accounts never being found.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from sync.server.db.tables import staff_users

__all__ = ["Account", "account_by_id", "account_by_name"]


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    password_hash: str


def _active_account(conn: Connection, condition) -> Account | None:
    row = conn.execute(
        select(staff_users.c.id, staff_users.c.username, staff_users.c.password_hash).where(
            condition, staff_users.c.disabled_at.is_(None)
        )
    ).first()
    return None if row is None else Account(row.id, row.username, row.password_hash)


def account_by_id(conn: Connection, user_id: int) -> Account | None:
    """The account signed in as ``user_id``, unless it is gone or disabled."""
    return _active_account(conn, staff_users.c.id == user_id)


def account_by_name(conn: Connection, username: str) -> Account | None:
    """The account a login form names, unless it is disabled."""
    return _active_account(conn, staff_users.c.username == username)
