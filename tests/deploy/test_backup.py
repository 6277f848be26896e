"""``kiosk-server backup`` and ``restore`` on SQLite and PostgreSQL, through the real command
line: every row of every table comes back, a database with data is refused, files of the other
engine or no backup at all are refused, and the backup file is owner-only."""

from __future__ import annotations

import stat

import pytest
from sqlalchemy import select

from sync.server.backup import backup_kind, prune
from sync.server.db.engine import make_engine
from sync.server.db.migrate import current_revision, head_revision, upgrade
from sync.server.db.tables import kiosks
from tests.deploy.rows import ROWS_PER_TABLE, dump_every_table, fill_every_table

ENGINES = ["sqlite", "postgresql"]


def _filled(url: str) -> dict:
    engine = make_engine(url)
    try:
        upgrade(engine)
        counts = fill_every_table(engine)
        return dump_every_table(engine), counts
    finally:
        engine.dispose()


def _dump(url: str) -> dict:
    engine = make_engine(url)
    try:
        return dump_every_table(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", ENGINES)
def test_restore_brings_back_every_row_of_every_table(kind, new_database, tmp_path, cli):
    source = new_database(kind)
    before, counts = _filled(source)
    assert all(n == ROWS_PER_TABLE for n in counts.values()) and "records" in counts

    result = cli("kiosk-server", "backup", str(tmp_path), "--database-url", source)
    assert result.returncode == 0, result.stderr
    [written] = [p for p in tmp_path.iterdir() if p.name.startswith("kiosk-server-")]
    assert str(written) in result.stdout
    assert backup_kind(written) == kind
    assert stat.S_IMODE(written.stat().st_mode) == 0o600  # it holds every kiosk's secret

    target = new_database(kind)
    result = cli("kiosk-server", "restore", str(written), "--database-url", target)
    assert result.returncode == 0, result.stderr
    after = _dump(target)
    assert after == before
    assert sum(len(rows) for rows in after.values()) == ROWS_PER_TABLE * len(counts)
    engine = make_engine(target)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", ENGINES)
def test_restore_refuses_a_database_with_data_unless_forced(kind, new_database, tmp_path, cli):
    source = new_database(kind)
    before, _ = _filled(source)
    dest = tmp_path / "one.backup"
    assert cli("kiosk-server", "backup", str(dest), "--database-url", source).returncode == 0

    target = new_database(kind)
    engine = make_engine(target)
    upgrade(engine)  # `kiosk-server init` was run: tables but no rows still counts as empty
    fill_every_table(engine, seed=7)
    other = dump_every_table(engine)
    engine.dispose()

    refused = cli("kiosk-server", "restore", str(dest), "--database-url", target)
    assert refused.returncode == 1
    assert "already holds data" in refused.stderr and "--force" in refused.stderr
    assert _dump(target) == other  # nothing was touched

    forced = cli("kiosk-server", "restore", str(dest), "--force", "--database-url", target)
    assert forced.returncode == 0, forced.stderr
    assert _dump(target) == before


def test_restore_into_an_initialised_empty_sqlite_database(new_database, tmp_path, cli):
    source = new_database("sqlite")
    before, _ = _filled(source)
    dest = tmp_path / "b.sqlite3"
    assert cli("kiosk-server", "backup", str(dest), "--database-url", source).returncode == 0
    target = new_database("sqlite")
    assert cli("kiosk-server", "init", "--database-url", target).returncode == 0
    result = cli("kiosk-server", "restore", str(dest), "--database-url", target)
    assert result.returncode == 0, result.stderr
    assert _dump(target) == before


def test_restore_refuses_files_that_are_no_backup_of_this_engine(new_database, tmp_path, cli):
    target = new_database("sqlite")
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    result = cli("kiosk-server", "restore", str(junk), "--database-url", target)
    assert result.returncode == 1 and "neither an SQLite backup nor a pg_dump" in result.stderr

    fake_pg = tmp_path / "x.pgdump"
    fake_pg.write_bytes(b"PGDMP\x01\x0e\x00 rest")
    result = cli("kiosk-server", "restore", str(fake_pg), "--database-url", target)
    assert result.returncode == 1 and "is a postgresql backup but the database is sqlite" in (
        result.stderr
    )

    missing = cli("kiosk-server", "restore", str(tmp_path / "nope"), "--database-url", target)
    assert missing.returncode == 1 and "no backup file" in missing.stderr


def test_backup_of_a_missing_database_says_where_it_looked(tmp_path, cli):
    result = cli(
        "kiosk-server", "backup", str(tmp_path / "b"), "--data-dir", str(tmp_path / "nothing")
    )
    # Settings resolve to <data-dir>/server.db; the engine is never created for a backup.
    assert result.returncode == 1 and "no database at" in result.stderr
    assert not list(tmp_path.glob("b*"))  # no half-written file


def test_keep_prunes_only_our_oldest_backups(tmp_path):
    names = [f"kiosk-server-2026110{d}T000000Z.sqlite3" for d in range(1, 6)]
    for name in [*names, "my-notes.sqlite3"]:
        (tmp_path / name).write_bytes(b"x")
    deleted = prune(tmp_path, keep=2)
    assert [p.name for p in deleted] == names[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names[3:], "my-notes.sqlite3"])


def test_a_backup_taken_while_the_server_writes_is_consistent(new_database, tmp_path, cli):
    """The online backup API copies a snapshot: a kiosk row written during the copy is either
    wholly in it or not, and the copy opens as a valid database."""
    source = new_database("sqlite")
    before, _ = _filled(source)
    engine = make_engine(source)
    dest = tmp_path / "live.sqlite3"
    with engine.begin() as conn:  # an open write transaction while the backup runs
        conn.execute(
            kiosks.update().where(kiosks.c.id == before["kiosks"][0][3]).values(site="moved")
        )
        result = cli("kiosk-server", "backup", str(dest), "--database-url", source)
    engine.dispose()
    assert result.returncode == 0, result.stderr
    copy = make_engine(f"sqlite+pysqlite:///{dest}")
    with copy.connect() as conn:
        sites = set(conn.execute(select(kiosks.c.site)).scalars())
    copy.dispose()
    assert "moved" not in sites  # uncommitted at the time of the copy


def _restore_as_another_user(backup, folder):
    """`kiosk-server restore` run as `nobody` when we are root (root reads everything), as
    kiosk-server-admin runs it as the service user; else as ourselves."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    command = [sys.executable, "-m", "sync.server.cli", "restore", str(backup)]
    command += ["--database-url", f"sqlite:///{folder}/target.db"]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv to drop to another user")
        command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )


@pytest.mark.parametrize("where", ["unreadable file", "file in a closed folder"])
def test_restoring_a_file_the_user_cannot_read_says_so(where):
    """Not "neither an SQLite backup nor a pg_dump" nor a traceback: the file may be a fine
    backup that the service user may not read, e.g. one left in /root."""
    import shutil
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="kt-restore-"))
    try:
        folder.chmod(0o755)
        home = folder / "root" if where == "file in a closed folder" else folder
        home.mkdir(exist_ok=True)
        backup = home / "kiosk-server-20261128T031500Z.sqlite3"
        backup.write_bytes(b"SQLite format 3\x00" + bytes(100))
        backup.chmod(0o000 if where == "unreadable file" else 0o600)
        home.chmod(0o700 if where == "file in a closed folder" else 0o755)
        result = _restore_as_another_user(backup, folder)
    finally:
        shutil.rmtree(folder)
    assert result.returncode == 1, result.stderr
    assert "neither an SQLite backup" not in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    if where == "unreadable file":
        assert "cannot be read by the user" in result.stderr
    else:
        assert "may not use" in result.stderr and "Permission denied" in result.stderr
