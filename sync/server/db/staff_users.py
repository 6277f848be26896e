"""Staff accounts: creating one with an argon2id password hash, disabling one, a new password.

A caller may rely on: :func:`add_staff_user` storing only the argon2id hash (argon2-cffi's
defaults), refusing an empty username, a password under :data:`MIN_PASSWORD_LENGTH`
characters or a username that is taken; :func:`disable_staff_user`,
:func:`set_staff_password` and :func:`sign_out_everywhere` ending every session of the account in the same transaction
(:func:`sync.server.db.sessions.revoke_all_for_user`) and raising ``NotFound`` for an unknown
username; every change (creating, disabling, a new password, signing out everywhere) written to
the audit trail in the same transaction, as ``cli`` unless an actor is given.
"""

from __future__ import annotations

from datetime import UTC, datetime
from gettext import gettext as _

from argon2 import PasswordHasher
from sqlalchemy import Engine, select

from sync.server.db import audit
from sync.server.db.engine import write_connection
from sync.server.db.roles import replace_sites, set_role
from sync.server.db.sessions import revoke_all_for_user
from sync.server.db.tables import staff_users
from sync.server.domain.audit import Actor
from sync.server.domain.roles import ADMIN, check_role_sites
from sync.server.errors import Conflict, InvalidInput, NotFound

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "add_staff_user",
    "disable_staff_user",
    "hash_password",
    "set_staff_password",
    "set_staff_role",
    "sign_out_everywhere",
]

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return PasswordHasher().hash(password)  # argon2id is argon2-cffi's default type


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            _("the password needs at least {count} characters").format(count=MIN_PASSWORD_LENGTH)
        )


CLI = Actor("cli")  # who acted, in the audit trail, when the command line did it


def add_staff_user(
    engine: Engine,
    username: str,
    password: str,
    *,
    role: str = ADMIN,
    sites: tuple[str, ...] | list[str] = (),
    actor: Actor = CLI,
) -> int:
    """Create the account (``role``, and ``sites`` for a staff account) and return its id."""
    username = username.strip()
    if not username or len(username) > 100:
        raise InvalidInput(_("a username needs 1 to 100 characters"))
    try:
        cleaned = check_role_sites(role, sites)
    except ValueError as exc:
        raise InvalidInput(_(str(exc))) from None
    _check_password(password)
    password_hash = hash_password(password)
    with write_connection(engine) as conn:
        if conn.execute(select(staff_users.c.id).where(staff_users.c.username == username)).first():
            raise Conflict(_("staff user {name!r} already exists").format(name=username))
        result = conn.execute(
            staff_users.insert().values(
                username=username,
                password_hash=password_hash,
                created_at=datetime.now(UTC),
                role=role,
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        replace_sites(conn, int(key[0]), cleaned)
        audit.append(conn, actor, "account_create", username, {"role": role, "sites": cleaned})
        return int(key[0])


def _user_id(conn, username: str) -> int:
    found = conn.execute(
        select(staff_users.c.id).where(staff_users.c.username == username.strip())
    ).scalar()
    if found is None:
        raise NotFound(_("no staff user {name!r}").format(name=username.strip()))
    return int(found)


def disable_staff_user(engine: Engine, username: str, actor: Actor = CLI) -> int:
    """Refuse the account's sign-ins from now on and end its sessions; returns how many ended."""
    now = datetime.now(UTC)
    with write_connection(engine) as conn:
        user_id = _user_id(conn, username)
        conn.execute(
            staff_users.update()
            .where(staff_users.c.id == user_id, staff_users.c.disabled_at.is_(None))
            .values(disabled_at=now)
        )
        ended = revoke_all_for_user(conn, user_id, now=now)
        audit.append(conn, actor, "account_disable", username.strip(), {"sessions_ended": ended})
        return ended


def set_staff_password(engine: Engine, username: str, password: str, actor: Actor = CLI) -> int:
    """Store a new password for the account and end its sessions; returns how many ended."""
    _check_password(password)
    password_hash = hash_password(password)
    now = datetime.now(UTC)
    with write_connection(engine) as conn:
        user_id = _user_id(conn, username)
        conn.execute(
            staff_users.update()
            .where(staff_users.c.id == user_id)
            .values(password_hash=password_hash)
        )
        ended = revoke_all_for_user(conn, user_id, now=now)
        audit.append(conn, actor, "account_password", username.strip(), {"sessions_ended": ended})
        return ended


def set_staff_role(
    engine: Engine, username: str, role: str, sites: list[str], actor: Actor = CLI
) -> int:
    """Give the account ``role`` (and ``sites`` for staff), ending its sessions; returns its id."""
    with engine.connect() as conn:
        user_id = _user_id(conn, username)
    try:
        set_role(engine, user_id, role, sites, actor)
    except ValueError as exc:
        raise InvalidInput(_(str(exc))) from None
    return user_id


def sign_out_everywhere(engine: Engine, user_id: int, actor: Actor, target: str = "") -> int:
    """End every session of the account (an admin's button, or the user's own) and say so in
    the audit trail; returns how many ended."""
    now = datetime.now(UTC)
    with write_connection(engine) as conn:
        name = (
            target
            or conn.execute(
                select(staff_users.c.username).where(staff_users.c.id == user_id)
            ).scalar()
        )
        if name is None:
            raise NotFound(_("no staff user {name!r}").format(name=str(user_id)))
        ended = revoke_all_for_user(conn, user_id, now=now)
        audit.append(conn, actor, "account_sign_out", name, {"sessions_ended": ended}, now=now)
        return ended
