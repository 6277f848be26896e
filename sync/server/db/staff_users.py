"""Staff accounts: creating one with an argon2id password hash.

A caller may rely on: :func:`add_staff_user` storing only the argon2id hash (argon2-cffi's
defaults), refusing an empty username, a password under :data:`MIN_PASSWORD_LENGTH`
characters or a username that is taken.
"""

from __future__ import annotations

from datetime import UTC, datetime
from gettext import gettext as _

from argon2 import PasswordHasher
from sqlalchemy import Engine, select

from sync.server.db.engine import write_connection
from sync.server.db.tables import staff_users
from sync.server.errors import Conflict, InvalidInput

__all__ = ["MIN_PASSWORD_LENGTH", "add_staff_user", "hash_password"]

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return PasswordHasher().hash(password)  # argon2id is argon2-cffi's default type


def add_staff_user(engine: Engine, username: str, password: str) -> int:
    """Create the account and return its id."""
    username = username.strip()
    if not username or len(username) > 100:
        raise InvalidInput(_("a username needs 1 to 100 characters"))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            _("the password needs at least {count} characters").format(count=MIN_PASSWORD_LENGTH)
        )
    password_hash = hash_password(password)
    with write_connection(engine) as conn:
        if conn.execute(select(staff_users.c.id).where(staff_users.c.username == username)).first():
            raise Conflict(_("staff user {name!r} already exists").format(name=username))
        result = conn.execute(
            staff_users.insert().values(
                username=username, password_hash=password_hash, created_at=datetime.now(UTC)
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])
