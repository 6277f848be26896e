"""Staff sign-in sessions, kept in the database so every server process agrees.

The browser's cookie carries a random token; the ``staff_sessions`` table keeps only its
SHA-256, the user, when it was made, when it was last used and when it was revoked. A caller may
rely on:

- :func:`create_session` returning a fresh token (URL-safe text) for a new row.
- :func:`session_user` returning the :class:`SessionUser` of a token only while the session is
  not revoked, younger than :data:`SESSION_MAX_AGE`, used within ``idle`` and its account is not
  disabled; None otherwise. It only reads.
- :func:`touch` moving ``last_seen_at`` forward (callers do it at most once a
  :data:`TOUCH_EVERY`, so a page view is not a write).
- :func:`revoke` ending one session, :func:`revoke_all_for_user` every session of an account
  (sign out everywhere, a disabled account, a changed password); both return how many ended.

Every function takes a :class:`~sqlalchemy.Connection`, so a caller can revoke in the same
transaction as the change that calls for it (disabling an account, setting a password).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, delete, insert, select, update

from sync.server.db.engine import write_connection
from sync.server.db.login_attempts import mark_succeeded
from sync.server.db.tables import staff_sessions, staff_users

__all__ = [
    "DEFAULT_IDLE",
    "SESSION_MAX_AGE",
    "TOUCH_EVERY",
    "SessionUser",
    "create_session",
    "open_session",
    "prune_sessions",
    "revoke",
    "revoke_all_for_user",
    "session_user",
    "token_sha256",
    "touch",
]

SESSION_MAX_AGE = timedelta(hours=12)  # a working day; then sign in again
DEFAULT_IDLE = timedelta(minutes=30)
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionUser:
    user_id: int
    username: str
    last_seen_at: datetime
    role: str = "admin"


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored here is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def create_session(conn: Connection, user_id: int, *, now: datetime) -> str:
    """A new session for ``user_id``; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    conn.execute(
        insert(staff_sessions).values(
            token_sha256=token_sha256(token), user_id=user_id, created_at=now, last_seen_at=now
        )
    )
    return token


def session_user(
    conn: Connection, token: str, *, now: datetime, idle: timedelta = DEFAULT_IDLE
) -> SessionUser | None:
    """The signed-in user of ``token``, or None when the session is over for any reason."""
    if not token or len(token) > 100:
        return None
    row = conn.execute(
        select(
            staff_users.c.id,
            staff_users.c.username,
            staff_sessions.c.last_seen_at,
            staff_users.c.role,
        )
        .select_from(staff_sessions.join(staff_users, staff_users.c.id == staff_sessions.c.user_id))
        .where(
            staff_sessions.c.token_sha256 == token_sha256(token),
            staff_sessions.c.revoked_at.is_(None),
            staff_sessions.c.created_at > now - SESSION_MAX_AGE,
            staff_sessions.c.last_seen_at > now - idle,
            staff_users.c.disabled_at.is_(None),
        )
    ).first()
    if row is None:
        return None
    return SessionUser(row.id, row.username, _aware(row.last_seen_at), row.role)


def touch(conn: Connection, token: str, *, now: datetime) -> None:
    """Record that the session was used at ``now`` (the idle timeout counts from here)."""
    conn.execute(
        update(staff_sessions)
        .where(
            staff_sessions.c.token_sha256 == token_sha256(token),
            staff_sessions.c.revoked_at.is_(None),
        )
        .values(last_seen_at=now)
    )


def revoke(conn: Connection, token: str, *, now: datetime) -> int:
    """End the session of ``token`` (logout)."""
    return conn.execute(
        update(staff_sessions)
        .where(
            staff_sessions.c.token_sha256 == token_sha256(token),
            staff_sessions.c.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    ).rowcount


def revoke_all_for_user(conn: Connection, user_id: int, *, now: datetime) -> int:
    """End every session of the account (sign out everywhere, disable, new password)."""
    return conn.execute(
        update(staff_sessions)
        .where(staff_sessions.c.user_id == user_id, staff_sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount


def prune_sessions(conn: Connection, *, now: datetime) -> int:
    """Delete rows of sessions past the maximum age (revoked or not); they can never return."""
    return conn.execute(
        delete(staff_sessions).where(staff_sessions.c.created_at <= now - SESSION_MAX_AGE)
    ).rowcount


def open_session(engine: Engine, attempt_id: int, user_id: int) -> str:
    """After a right password: mark the login attempt succeeded, drop long-dead sessions and
    create the new one; returns its token (for the cookie)."""
    mark_succeeded(engine, attempt_id)
    now = datetime.now(UTC)
    with write_connection(engine) as conn:
        prune_sessions(conn, now=now)
        return create_session(conn, user_id, now=now)
