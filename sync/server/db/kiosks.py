"""Kiosk enrolment and the per-request bookkeeping of kiosks (queries on the ``kiosks`` table).

A caller may rely on: :func:`enroll_kiosk` returning a fresh 256-bit secret as base64url text
(what ``sync.protocol.sign_request`` takes) and refusing an id that is taken;
:func:`touch_kiosk` recording ``last_seen_at`` and the reported pending count.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from gettext import gettext as _

from sqlalchemy import Connection, Engine, select, update

from sync.protocol import ID_RE
from sync.server.db.engine import write_connection
from sync.server.db.tables import kiosks
from sync.server.errors import Conflict, InvalidInput, NotFound

__all__ = [
    "Enrolled",
    "KioskRow",
    "disable_kiosk",
    "enroll_kiosk",
    "get_kiosk",
    "kiosk_id_from_name",
    "touch_kiosk",
]


@dataclass(frozen=True)
class Enrolled:
    kiosk_id: str
    secret: str


@dataclass(frozen=True)
class KioskRow:
    id: str
    name: str
    site: str
    secret: str
    disabled_at: datetime | None


def kiosk_id_from_name(name: str) -> str:
    """``"Mikkeli pääkirjasto 1"`` -> ``"mikkeli-paakirjasto-1"``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:128]


def enroll_kiosk(
    engine: Engine, name: str, site: str, kiosk_id: str | None = None, now: datetime | None = None
) -> Enrolled:
    name, site = name.strip(), site.strip()
    if not name:
        raise InvalidInput(_("a kiosk needs a name"))
    if not site:
        raise InvalidInput(_("a kiosk needs a site (where it stands)"))
    kiosk_id = kiosk_id or kiosk_id_from_name(name)
    if not ID_RE.fullmatch(kiosk_id):
        raise InvalidInput(
            _(
                "kiosk id {id!r} must be letters, digits, '.', '_', ':' or '-'; give one with --id"
            ).format(id=kiosk_id)
        )
    secret = secrets.token_urlsafe(32)  # 256 random bits
    with write_connection(engine) as conn:
        if conn.execute(select(kiosks.c.id).where(kiosks.c.id == kiosk_id)).first():
            raise Conflict(
                _("kiosk {id!r} already exists; choose another name or --id").format(id=kiosk_id)
            )
        conn.execute(
            kiosks.insert().values(
                id=kiosk_id,
                name=name[:200],
                site=site[:200],
                secret=secret,
                created_at=now or datetime.now(UTC),
            )
        )
    return Enrolled(kiosk_id, secret)


def disable_kiosk(engine: Engine, kiosk_id: str, now: datetime | None = None) -> None:
    """Stop a kiosk; its signed requests get 401 from now on. Its records stay."""
    with write_connection(engine) as conn:
        result = conn.execute(
            update(kiosks)
            .where(kiosks.c.id == kiosk_id)
            .values(disabled_at=now or datetime.now(UTC))
        )
        if result.rowcount == 0:
            raise NotFound(_("no kiosk {id!r}").format(id=kiosk_id))


def get_kiosk(conn: Connection, kiosk_id: str) -> KioskRow | None:
    row = conn.execute(
        select(
            kiosks.c.id, kiosks.c.name, kiosks.c.site, kiosks.c.secret, kiosks.c.disabled_at
        ).where(kiosks.c.id == kiosk_id)
    ).first()
    return KioskRow(*row) if row else None


def touch_kiosk(conn: Connection, kiosk_id: str, pending: int | None, now: datetime) -> None:
    values: dict = {"last_seen_at": now}
    if pending is not None:
        values["reported_pending"] = pending
    conn.execute(update(kiosks).where(kiosks.c.id == kiosk_id).values(**values))
