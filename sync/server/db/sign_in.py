"""What staff sign-in reads and writes: active accounts and the login attempts that throttle it.

A caller may rely on: disabled accounts never being found; :func:`recent_failures` counting
only failed attempts since a given time, by account name (lower-cased by the caller) and by
address; :func:`record_attempt` writing one row in its own transaction, so every server process
sees the same throttling.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, and_, func, insert, select

from sync.server.db.engine import write_connection
from sync.server.db.tables import login_attempts, staff_users

__all__ = ["Account", "account_by_id", "account_by_name", "record_attempt", "recent_failures"]


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


def recent_failures(
    conn: Connection, since: datetime, *, username: str, address: str
) -> tuple[int, int]:
    """Failed attempts since ``since``: ``(for this account name, from this address)``."""

    def count(column, value: str) -> int:
        return conn.execute(
            select(func.count())
            .select_from(login_attempts)
            .where(
                and_(
                    column == value,
                    login_attempts.c.attempted_at >= since,
                    login_attempts.c.succeeded.is_(False),
                )
            )
        ).scalar_one()

    return count(login_attempts.c.username, username), count(login_attempts.c.address, address)


def record_attempt(
    engine: Engine, *, username: str, address: str, at: datetime, succeeded: bool
) -> None:
    with write_connection(engine) as conn:
        conn.execute(
            insert(login_attempts).values(
                username=username, address=address, attempted_at=at, succeeded=succeeded
            )
        )
