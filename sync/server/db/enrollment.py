"""One-time enrollment codes: how a terminal fetches its kiosk's credentials without anyone
typing the secret (queries on ``enrollment_codes``, ``kiosks`` and ``login_attempts``).

A caller may rely on:

* :func:`issue_code` returning a fresh code of 100 random bits as 20 Crockford base32 characters
  in five groups (``7KQ2-M9XD-...``), valid for ``hours`` hours. Only its SHA-256 is stored, and
  issuing one withdraws the kiosk's earlier unused codes.
* :func:`normalize_code` accepting what a person types: any case, spaces or dashes, and the
  look-alikes O/o for 0 and I/i/L/l for 1; it raises :class:`InvalidInput` for anything else.
* :func:`redeem_code` handing out the kiosk id and secret exactly once per code, also when two
  servers race for it; an unknown, used or expired code, or a disabled kiosk, raises a domain
  error whose message tells the person what to do next. Every refusal is counted for the
  caller's address, and :func:`recent_failures` lets the resource refuse guessing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, and_, delete, func, insert, select, update

from sync.server.db.engine import write_connection
from sync.server.db.tables import enrollment_codes, kiosks, login_attempts
from sync.server.errors import Conflict, Forbidden, InvalidInput, NotFound

__all__ = [
    "CODE_ALPHABET",
    "DEFAULT_HOURS",
    "FAILURE_WINDOW",
    "MAX_FAILURES_PER_ADDRESS",
    "Credentials",
    "code_sha256",
    "normalize_code",
    "recent_failures",
    "record_failure",
    "issue_code",
    "redeem_code",
]

# Crockford's base32: no I, L, O or U, so nothing reads as another letter or a word.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 20  # 20 x 5 bits = 100 random bits: guessing is hopeless even without throttling
GROUP = 4
DEFAULT_HOURS = 24
MAX_HOURS = 24 * 14
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ADDRESS = 10

# Failed redemptions are kept in login_attempts (there is no table of their own), so that every
# server process counts them together. The address is prefixed and the username is one no
# staff login form sends, so these rows never throttle a staff sign-in. A dedicated table would
# be cleaner: see the deployment report to the lead.
_FAILURE_USERNAME = "#enrollment-code"
_FAILURE_ADDRESS_PREFIX = "enroll:"

_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


@dataclass(frozen=True)
class Credentials:
    """What a redeemed code hands out."""

    kiosk_id: str
    secret: str


def _utc(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes; everything we store is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def normalize_code(text: str) -> str:
    """The 20 code characters of what a person typed, or :class:`InvalidInput`."""
    cleaned = "".join(ch for ch in str(text).upper() if ch not in " -\t\r\n")
    cleaned = cleaned.translate(_LOOK_ALIKES)
    bad = sorted({ch for ch in cleaned if ch not in CODE_ALPHABET})
    if bad or len(cleaned) != CODE_LENGTH:
        raise InvalidInput(
            f"an enrollment code is {CODE_LENGTH} letters and digits in groups of {GROUP}, "
            "like 7KQ2-M9XD-4HTB-ZP6W-RC3N; check what was typed"
        )
    return cleaned


def code_sha256(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode("ascii")).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, CODE_LENGTH, GROUP))


def issue_code(
    engine: Engine, kiosk_id: str, hours: float = DEFAULT_HOURS, now: datetime | None = None
) -> tuple[str, datetime]:
    """A new one-time code for an enrolled kiosk and when it expires."""
    if not 0 < hours <= MAX_HOURS:
        raise InvalidInput(f"a code must be valid for more than 0 and at most {MAX_HOURS} hours")
    now = now or datetime.now(UTC)
    expires = now + timedelta(hours=hours)
    code = _new_code()
    with write_connection(engine) as conn:
        row = conn.execute(select(kiosks.c.disabled_at).where(kiosks.c.id == kiosk_id)).first()
        if row is None:
            raise NotFound(f"no kiosk {kiosk_id!r}; enrol it first with kiosk-server enroll-kiosk")
        if row.disabled_at is not None:
            raise Forbidden(f"kiosk {kiosk_id!r} is disabled; it cannot be set up again")
        # One live code per kiosk: a code printed earlier and lost stops working now.
        conn.execute(
            delete(enrollment_codes).where(
                and_(enrollment_codes.c.kiosk_id == kiosk_id, enrollment_codes.c.used_at.is_(None))
            )
        )
        conn.execute(
            insert(enrollment_codes).values(
                code_sha256=code_sha256(code), kiosk_id=kiosk_id, created_at=now, expires_at=expires
            )
        )
    return code, expires


def record_failure(engine: Engine, address: str, now: datetime | None = None) -> None:
    with write_connection(engine) as conn:
        conn.execute(
            insert(login_attempts).values(
                username=_FAILURE_USERNAME,
                address=(_FAILURE_ADDRESS_PREFIX + address)[:64],
                attempted_at=now or datetime.now(UTC),
                succeeded=False,
            )
        )


def recent_failures(conn: Connection, address: str, now: datetime) -> int:
    """Failed redemptions from ``address`` within :data:`FAILURE_WINDOW` before ``now``."""
    return conn.execute(
        select(func.count())
        .select_from(login_attempts)
        .where(
            and_(
                login_attempts.c.username == _FAILURE_USERNAME,
                login_attempts.c.address == (_FAILURE_ADDRESS_PREFIX + address)[:64],
                login_attempts.c.attempted_at >= now - FAILURE_WINDOW,
                login_attempts.c.succeeded.is_(False),
            )
        )
    ).scalar_one()


def redeem_code(engine: Engine, code: str, now: datetime | None = None) -> Credentials:
    """The kiosk's credentials for a live code, which is used up by this call."""
    digest = code_sha256(code)
    now = now or datetime.now(UTC)
    with write_connection(engine) as conn:
        row = conn.execute(
            select(
                enrollment_codes.c.kiosk_id,
                enrollment_codes.c.expires_at,
                enrollment_codes.c.used_at,
                kiosks.c.secret,
                kiosks.c.disabled_at,
            )
            .join(kiosks, kiosks.c.id == enrollment_codes.c.kiosk_id)
            .where(enrollment_codes.c.code_sha256 == digest)
        ).first()
        if row is None:
            raise NotFound(
                "this enrollment code is not known (a newer code for the kiosk replaces older "
                "ones); check the typing or ask for a new code with kiosk-server enrollment-code"
            )
        again = f"ask for a new one with: kiosk-server enrollment-code {row.kiosk_id}"
        if row.used_at is not None:
            used = _utc(row.used_at).strftime("%Y-%m-%d %H:%M UTC")
            raise Conflict(f"this enrollment code was already used at {used}; {again}")
        if _utc(row.expires_at) <= now:
            expired = _utc(row.expires_at).strftime("%Y-%m-%d %H:%M UTC")
            raise Conflict(f"this enrollment code expired at {expired}; {again}")
        if row.disabled_at is not None:
            raise Forbidden(f"kiosk {row.kiosk_id!r} is disabled; it cannot be set up")
        # Conditional, so that of two servers redeeming the same code at once only one wins.
        claimed = conn.execute(
            update(enrollment_codes)
            .where(
                and_(enrollment_codes.c.code_sha256 == digest, enrollment_codes.c.used_at.is_(None))
            )
            .values(used_at=now)
        ).rowcount
        if claimed != 1:
            raise Conflict(f"this enrollment code was just used by another request; {again}")
    return Credentials(kiosk_id=row.kiosk_id, secret=row.secret)
