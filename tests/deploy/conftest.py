"""Fixtures of the deployment tests: fresh databases on SQLite and on PostgreSQL (a database of
its own per test, since backups and restores work on whole databases), real server processes on
free loopback ports, and enrolled kiosks.

PostgreSQL databases are created in the throwaway cluster of scripts/with-throwaway-postgres.sh
(its ``postgres`` maintenance database is reached by swapping the database name of
``postgres_url``) and dropped after the test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sync.server.db.engine import default_sqlite_url

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    """The kiosk's messages in English (its default is Finnish), so tests can match them."""
    from kiosk import i18n

    before = i18n.current_language()
    i18n.set_language("en")
    yield
    i18n.set_language(before)


@pytest.fixture
def new_database(request, tmp_path) -> Iterator[Callable[[str], str]]:
    """``new_database(engine_name)``: the URL of a new, empty database ("sqlite" or
    "postgresql"); PostgreSQL ones are dropped after the test."""
    created: list[str] = []
    admin_url = None

    def make(kind: str) -> str:
        nonlocal admin_url
        if kind == "sqlite":
            folder = tmp_path / f"sqlite-{uuid.uuid4().hex[:8]}"
            return default_sqlite_url(folder)
        base = make_url(request.getfixturevalue("postgres_url"))
        admin_url = base.set(database="postgres")
        name = f"kt_deploy_{uuid.uuid4().hex[:12]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        created.append(name)
        return base.set(database=name).render_as_string(hide_password=False)

    yield make
    if created:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys) -> Callable[..., CliResult]:
    """``cli("kiosk-server", *args)``: the real command line, run in this process (a process
    per call would cost seconds of imports each)."""

    def call(program: str, *args: str) -> CliResult:
        from kiosk.cli import main as kiosk_main
        from sync.server.cli import main as server_main

        capsys.readouterr()
        try:
            status = {"kiosk-server": server_main, "kiosk": kiosk_main}[program](list(args))
        except SystemExit as exc:  # argparse usage errors
            status = int(exc.code or 0)
        out, err = capsys.readouterr()
        return CliResult(status, out, err)

    return call


def run_cli(
    *args: str, env: dict | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run a console script of this project (``kiosk-server ...``, ``kiosk ...``) as a process."""
    program, rest = args[0], list(args[1:])
    module = {"kiosk-server": "sync.server.cli", "kiosk": "kiosk.cli"}[program]
    return subprocess.run(
        [sys.executable, "-m", module, *rest],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        check=False,
    )
