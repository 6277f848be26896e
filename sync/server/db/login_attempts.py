"""Staff login throttling that cannot be turned against staff.

Every attempt is a row of ``login_attempts`` (username lower-cased, client address, time,
success). A caller may rely on:

- :func:`reserve_attempt` counting the recent failures and recording the new attempt in ONE
  write transaction (``BEGIN IMMEDIATE`` on SQLite; an advisory lock on the address on
  PostgreSQL), so N server processes cannot let N times the allowed guesses through. The new row
  counts as a failure until :func:`mark_succeeded` turns it into a success, so guesses still
  being checked count too.
- Locks (429, password not checked) are only ever per (account, address) —
  :data:`PAIR_FAILURES_PER_WINDOW` — and per address — :data:`ADDRESS_FAILURES_PER_WINDOW`.
  Failures for one account from every address together only add a delay
  (:func:`account_delay`), so the right password from another address always gets through.
- Usernames are counted case-insensitively (``Liisa`` and ``LIISA`` are one account).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, func, insert, select, text, update

from sync.server.db.engine import write_connection
from sync.server.db.tables import login_attempts

__all__ = [
    "ACCOUNT_DELAY_AFTER",
    "ACCOUNT_DELAY_MAX_SECONDS",
    "ADDRESS_FAILURES_PER_WINDOW",
    "PAIR_FAILURES_PER_WINDOW",
    "WINDOW",
    "Reservation",
    "account_delay",
    "mark_succeeded",
    "reserve_attempt",
]

WINDOW = timedelta(minutes=1)
PAIR_FAILURES_PER_WINDOW = 9  # the tenth wrong password in a minute from one address: 429
ADDRESS_FAILURES_PER_WINDOW = 30  # one address trying many accounts: 429
ACCOUNT_DELAY_AFTER = 9  # from every address together: from the tenth on, each waits longer
ACCOUNT_DELAY_STEP_SECONDS = 0.5
ACCOUNT_DELAY_MAX_SECONDS = 5.0


@dataclass(frozen=True)
class Reservation:
    """The verdict on one attempt: ``attempt_id`` is None when it is throttled (not recorded)."""

    attempt_id: int | None
    delay_seconds: float

    @property
    def throttled(self) -> bool:
        return self.attempt_id is None


def account_delay(account_failures: int) -> float:
    """Seconds an attempt for an account waits, given its recent failures from everywhere."""
    over = account_failures - ACCOUNT_DELAY_AFTER + 1
    if over <= 0:
        return 0.0
    return min(over * ACCOUNT_DELAY_STEP_SECONDS, ACCOUNT_DELAY_MAX_SECONDS)


def _address_lock_key(address: str) -> int:
    digest = hashlib.sha256(b"kt-login:" + address.encode("utf-8", "replace")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _failures(conn, *conditions) -> int:
    return conn.execute(
        select(func.count())
        .select_from(login_attempts)
        .where(and_(login_attempts.c.succeeded.is_(False), *conditions))
    ).scalar_one()


def reserve_attempt(engine: Engine, username: str, address: str, *, now: datetime) -> Reservation:
    """Count and record one attempt atomically; see the module docstring."""
    username = username.lower()
    since = login_attempts.c.attempted_at >= now - WINDOW
    with write_connection(engine) as conn:
        if conn.dialect.name == "postgresql":
            # READ COMMITTED: each statement sees what committed before it, so once two attempts
            # from one address queue here the second counts the first. Released at commit.
            conn.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _address_lock_key(address)}
            )
        by_address = login_attempts.c.address == address
        by_account = login_attempts.c.username == username
        if (
            _failures(conn, since, by_account, by_address) >= PAIR_FAILURES_PER_WINDOW
            or _failures(conn, since, by_address) >= ADDRESS_FAILURES_PER_WINDOW
        ):
            return Reservation(None, 0.0)
        delay = account_delay(_failures(conn, since, by_account))
        result = conn.execute(
            insert(login_attempts).values(
                username=username, address=address, attempted_at=now, succeeded=False
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        return Reservation(int(key[0]), delay)


def mark_succeeded(engine: Engine, attempt_id: int) -> None:
    """The attempt had the right password: it no longer counts as a failure."""
    with write_connection(engine) as conn:
        conn.execute(
            update(login_attempts).where(login_attempts.c.id == attempt_id).values(succeeded=True)
        )
