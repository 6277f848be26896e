"""Finding a visit by its short code, and counting the misses of one address.

A caller may rely on:
- :func:`tokens_for_code` giving the follow-up tokens of the visits whose records carry the
  code, at most two: one means the code is that visit's; two mean two visits drew the same code
  (50 random bits, so rarely), and then neither may be shown to the holder of the other.
- :func:`record_miss` / :func:`recent_misses`: lookups from one address that found nothing,
  counted in ``login_attempts`` (as failed enrolment codes are), so every server process
  throttles together. The username is one no staff form sends and the address is prefixed, so
  these rows never throttle a staff sign-in.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, and_, func, insert, select

from sync.server.db.engine import write_connection
from sync.server.db.tables import login_attempts, records

__all__ = [
    "MAX_MISSES_PER_ADDRESS",
    "MISS_WINDOW",
    "record_miss",
    "recent_misses",
    "tokens_for_code",
]

MISS_WINDOW = timedelta(minutes=15)
MAX_MISSES_PER_ADDRESS = 10  # guessing 50 bits at 10 tries per quarter hour is hopeless
_MISS_USERNAME = "#short-code"
_MISS_ADDRESS_PREFIX = "code:"


def tokens_for_code(conn: Connection, code: str) -> list[str]:
    """The follow-up tokens of the visits with this canonical short code (at most two)."""
    rows = conn.execute(
        select(records.c.follow_up_token)
        .where(records.c.short_code == code)
        .group_by(records.c.follow_up_token)
        .limit(2)
    )
    return [row[0] for row in rows]


def _address(address: str) -> str:
    return (_MISS_ADDRESS_PREFIX + address)[:64]


def record_miss(engine: Engine, address: str, now: datetime | None = None) -> None:
    with write_connection(engine) as conn:
        conn.execute(
            insert(login_attempts).values(
                username=_MISS_USERNAME,
                address=_address(address),
                attempted_at=now or datetime.now(UTC),
                succeeded=False,
            )
        )


def recent_misses(conn: Connection, address: str, now: datetime | None = None) -> int:
    """Lookups from ``address`` that found nothing within :data:`MISS_WINDOW` before ``now``."""
    now = now or datetime.now(UTC)
    return conn.execute(
        select(func.count())
        .select_from(login_attempts)
        .where(
            and_(
                login_attempts.c.username == _MISS_USERNAME,
                login_attempts.c.address == _address(address),
                login_attempts.c.attempted_at >= now - MISS_WINDOW,
                login_attempts.c.succeeded.is_(False),
            )
        )
    ).scalar_one()
