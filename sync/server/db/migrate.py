"""Bring a database to the newest schema with the Alembic migrations beside this module.

A caller may rely on: :func:`upgrade` being idempotent and safe when several server processes
start at once against one PostgreSQL database (it holds an advisory lock while migrating);
:func:`current_revision` returning None for an empty database.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from sync.server.db.engine import make_engine, write_connection

__all__ = ["MIGRATIONS_DIR", "current_revision", "head_revision", "upgrade"]

MIGRATIONS_DIR = Path(str(files("sync.server.db").joinpath("migrations")))  # package data
# An arbitrary constant shared by every process of this product: "kt" + "migr" in hex-ish.
_PG_MIGRATION_LOCK = 0x6B74_6D69_6772


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def upgrade(engine_or_url: Engine | str, revision: str = "head") -> None:
    """Apply every migration up to ``revision`` (default: the newest)."""
    engine = make_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    try:
        with write_connection(engine) as conn:
            if conn.dialect.name == "postgresql":
                # Transaction-scoped: released at commit, also if this process dies.
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
                )
            cfg = _config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()
