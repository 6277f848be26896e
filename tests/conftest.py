"""Suite-wide set-up: Kivy runs headless, configured as the kiosk configures it, with its config
in a throwaway home; the PostgreSQL URL of the throwaway cluster
(scripts/with-throwaway-postgres.sh) is a fixture.

Kivy reads these variables at import time, so they are set here, before any test module
imports it.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kt-kivy-home-"))
# kiosk and kiosk-server speak the locale's language (sync.cli_language); tests read English.
os.environ["LANGUAGE"] = "en"

# The kiosk sets Kivy's config before its window exists (kiosk.kivy_setup); so do the tests,
# whichever of them happens to import Kivy's window first (else that one gets Kivy's defaults,
# Escape quitting included, and a later lockdown test would see them).
from kiosk.kivy_setup import configure_kivy  # noqa: E402

configure_kivy(fullscreen=False, headless=True)

import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from urllib.parse import quote  # noqa: E402

import pytest  # noqa: E402


def _postgres_url() -> str | None:
    return os.environ.get("KT_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """URL of the throwaway PostgreSQL database; CI always has one (make test starts it)."""
    url = _postgres_url()
    if not url:
        if os.environ.get("CI"):
            pytest.fail("KT_TEST_POSTGRES_URL is not set: run the suite through `make test`")
        pytest.skip("no throwaway PostgreSQL: run through `make test` to include these tests")
    return url


@pytest.fixture
def postgres_schema_url(postgres_url) -> Iterator[str]:
    """The throwaway database's URL with ``search_path`` set to a fresh, empty schema.

    Each test gets its own schema, dropped afterwards, so tests stay independent without a
    database per test.
    """
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        separator = "&" if "?" in postgres_url else "?"
        yield f"{postgres_url}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# The central server's app over a migrated database. Each test folder that uses these defines
# ``db_url`` (which engines, and how a fresh database is made); these fixtures take the nearest.


@pytest.fixture
def engine(db_url):
    from sync.server.db.engine import make_engine
    from sync.server.db.migrate import upgrade

    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(db_url, tmp_path):
    from sync.server.settings import Settings

    return Settings.load({"data_dir": str(tmp_path / "data"), "database_url": db_url}, env={})


@pytest.fixture
def client(settings, engine):
    """An in-process client of the whole server app (kiosk API, staff and follow-up pages)."""
    from fastapi.testclient import TestClient

    from sync.server.app import create_app

    with TestClient(create_app(settings, engine)) as client:
        yield client


@pytest.fixture
def start_server(tmp_path):
    """``start_server(database_url, workers=1, env={})`` runs ``kiosk-server serve`` in a real
    process on a free loopback port and returns its base URL once /healthz answers; every
    process is stopped after the test, and its log is shown if it dies while starting."""
    from tests.support.servers import (
        free_port,
        serve_command,
        start_process,
        stop_process,
        wait_until_healthy,
    )

    processes = []

    def start(database_url: str, workers: int = 1, env: dict | None = None) -> str:
        port = free_port()
        log_path = tmp_path / f"server-{port}.log"
        command = serve_command(
            "--database-url",
            database_url,
            "--data-dir",
            str(tmp_path / "server-data"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        )
        process = start_process(command, log_path, {**os.environ, **(env or {})})
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        wait_until_healthy(url, process, log_path)
        return url

    yield start
    for process in processes:
        stop_process(process)
