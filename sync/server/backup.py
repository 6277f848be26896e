"""Back up the server's database to one file, and restore such a file into an empty database.

SQLite is copied with its online backup API (a consistent snapshot while the server keeps
writing); PostgreSQL with ``pg_dump --format=custom`` and ``pg_restore`` (found on ``PATH`` or
in the newest ``/usr/lib/postgresql/*/bin``). A caller may rely on:

* :func:`backup` writing the file completely or not at all (a ``.partial`` file renamed at the
  end), owner-only (0600: it holds every kiosk's secret), and returning its path; given a
  folder, it names the file ``kiosk-server-<UTC time>.sqlite3`` or ``.pgdump`` there and
  :func:`prune` keeps the newest N of those.
* :func:`restore` refusing a database that holds any row (unless ``force``), a file that is not
  a backup of this engine, and leaving the database migrated to the newest schema.
* Failures raise :class:`BackupFailed` (a domain error) whose message says what to do.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, inspect, select, table
from sqlalchemy.engine import URL, make_url

from sync.server.db.engine import make_engine
from sync.server.db.migrate import upgrade
from sync.server.errors import Conflict, DomainError, InvalidInput

__all__ = [
    "BackupFailed",
    "backup",
    "backup_kind",
    "find_pg_tool",
    "is_empty",
    "prune",
    "restore",
]

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
_SUFFIX = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
_PREFIX = "kiosk-server-"
_PG_TIMEOUT_SECONDS = 6 * 3600  # generous; a stuck dump must still end some day


class BackupFailed(DomainError):
    """The backup or restore could not be done; nothing was changed by a failed restore."""


def _backend(database_url: str) -> str:
    backend = make_url(database_url).get_backend_name()
    if backend not in _SUFFIX:
        raise InvalidInput(f"backups support SQLite and PostgreSQL, not {backend}")
    return backend


def _user_name() -> str:
    import pwd

    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def backup_kind(path: Path) -> str | None:
    """``"sqlite"``, ``"postgresql"`` or None, from the file's first bytes."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError:
        return None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    return None


def _target_file(dest: Path, backend: str, now: datetime) -> Path:
    if dest.is_dir():
        return dest / f"{_PREFIX}{now.strftime('%Y%m%dT%H%M%SZ')}{_SUFFIX[backend]}"
    if not dest.parent.is_dir():
        raise InvalidInput(f"the folder {dest.parent} does not exist; create it first")
    return dest


def _owner_only_file(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)


def backup(database_url: str, dest: Path, now: datetime | None = None) -> Path:
    """Write a backup of the database at ``database_url`` to ``dest`` (a file or a folder)."""
    backend = _backend(database_url)
    target = _target_file(Path(dest), backend, now or datetime.now(UTC))
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    _owner_only_file(partial)
    try:
        if backend == "sqlite":
            _sqlite_backup(_sqlite_path(database_url), partial)
        else:
            _pg_dump(database_url, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups named by :func:`backup` in ``folder``."""
    if keep < 1:
        raise InvalidInput("--keep must be at least 1")
    ours = sorted(
        p
        for p in Path(folder).iterdir()
        if p.name.startswith(_PREFIX) and p.suffix in (".sqlite3", ".pgdump")
    )
    doomed = ours[:-keep]
    for path in doomed:
        path.unlink()
    return doomed


# --- SQLite


def _sqlite_path(database_url: str) -> Path:
    name = make_url(database_url).database
    if not name or name == ":memory:":
        raise InvalidInput("an in-memory SQLite database cannot be backed up or restored")
    return Path(name)


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupFailed(f"there is no database at {source}; check --data-dir or --database-url")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        # One self-contained file, whatever journal mode the live database uses.
        dst.execute("PRAGMA journal_mode=DELETE")
        problem = dst.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise BackupFailed(f"the copy failed its integrity check: {problem}")
    except sqlite3.Error as exc:
        raise BackupFailed(f"SQLite backup of {source} failed: {exc}") from None
    finally:
        dst.close()
        src.close()


def _sqlite_restore(source: Path, database_url: str) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        tables = {
            row[0] for row in src.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if "alembic_version" not in tables:
            raise InvalidInput(f"{source} is an SQLite file but not a kiosk-server backup")
        target = _sqlite_path(database_url)
        target.parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(target, timeout=10)
        try:
            src.backup(dst)
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise BackupFailed(f"SQLite restore from {source} failed: {exc}") from None
    finally:
        src.close()


# --- PostgreSQL


def find_pg_tool(name: str) -> str:
    """Path of ``pg_dump``/``pg_restore``: on PATH, else the newest Debian cluster's bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in p.parts[-3].split(".")],
    )
    if candidates:
        return str(candidates[-1])
    raise BackupFailed(f"{name} was not found; install the PostgreSQL client (postgresql-client)")


def _libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password, and the environment that carries the password."""
    url: URL = make_url(database_url).set(drivername="postgresql")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
        url = url.set(password=None)
    return url.render_as_string(hide_password=False), env


def _run_pg(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        result = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=_PG_TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired:
        raise BackupFailed(f"{what} did not finish within {_PG_TIMEOUT_SECONDS} s") from None
    if result.returncode != 0:
        tail = " ".join(result.stderr.strip().splitlines()[-3:])
        raise BackupFailed(f"{what} failed (exit {result.returncode}): {tail}")


def _pg_dump(database_url: str, target: Path) -> None:
    uri, env = _libpq(database_url)
    command = [find_pg_tool("pg_dump"), "--format=custom", "--file", str(target), "--dbname", uri]
    _run_pg(command, env, "pg_dump")


def _pg_restore(source: Path, database_url: str) -> None:
    uri, env = _libpq(database_url)
    command = [
        find_pg_tool("pg_restore"),
        # --clean drops the empty tables `kiosk-server init` may have made; one transaction
        # means a failed restore leaves the database as it was.
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        "--dbname",
        uri,
        str(source),
    ]
    _run_pg(command, env, "pg_restore")


# --- restore


def is_empty(engine: Engine) -> bool:
    """True when no table of the database (but Alembic's own) holds a row."""
    names = [n for n in inspect(engine).get_table_names() if n != "alembic_version"]
    with engine.connect() as conn:
        for name in names:
            if conn.execute(select(func.count()).select_from(table(name))).scalar_one():
                return False
    return True


def restore(database_url: str, source: Path, force: bool = False) -> None:
    """Restore the backup file ``source`` into the database at ``database_url``."""
    backend = _backend(database_url)
    source = Path(source)
    if not source.is_file():
        raise InvalidInput(f"there is no backup file at {source}")
    try:
        with open(source, "rb"):
            pass
    except PermissionError:
        raise InvalidInput(
            f"{source} cannot be read by the user {_user_name()}: give that user read access"
            " (chown or chmod), or copy the file to /var/lib/kiosk-server-backups"
        ) from None
    kind = backup_kind(source)
    if kind is None:
        raise InvalidInput(f"{source} is neither an SQLite backup nor a pg_dump custom-format file")
    if kind != backend:
        raise InvalidInput(
            f"{source} is a {kind} backup but the database is {backend}; restore it into a "
            f"{kind} database (moving between engines is not supported)"
        )
    engine = make_engine(database_url)
    try:
        if not force and not is_empty(engine):
            raise Conflict(
                "the database already holds data; restore into an empty database, or add "
                "--force to replace everything in it (stop the server first)"
            )
    finally:
        engine.dispose()
    if backend == "sqlite":
        _sqlite_restore(source, database_url)
    else:
        _pg_restore(source, database_url)
    upgrade(database_url)  # a backup from an older version gets the newest schema
