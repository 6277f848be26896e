"""Suite-wide set-up: Kivy runs headless with its config in a throwaway home, and the
PostgreSQL URL of the throwaway cluster (scripts/with-throwaway-postgres.sh) is a fixture.

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
