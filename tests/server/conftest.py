"""Fixtures of the server tests: one database per test on SQLite and on PostgreSQL, an app, an
enrolled kiosk, and factories for records, batches and signed requests.

Every storage test takes ``db_url`` (directly or through ``engine``/``client``), which is
parametrised over both engines. On PostgreSQL each test gets its own schema in the throwaway
database (``search_path`` in the URL), dropped afterwards, so tests stay independent and can
run beside other areas' tests in the same cluster.
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sync.protocol import canonical_json, new_follow_up_token, signature_headers
from sync.server.db.engine import default_sqlite_url
from sync.server.db.kiosks import Enrolled, enroll_kiosk
from sync.server.db.migrate import upgrade


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test (migrating each time costs more)."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    upgrade(default_sqlite_url(folder))
    return folder / "server.db"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> Iterator[str]:
    """A fresh database URL: SQLite already migrated (from the template), PostgreSQL empty."""
    if request.param == "sqlite":
        (tmp_path / "data").mkdir()
        shutil.copy(request.getfixturevalue("sqlite_template"), tmp_path / "data" / "server.db")
        yield default_sqlite_url(tmp_path / "data")
        return
    yield request.getfixturevalue("postgres_schema_url")


@pytest.fixture
def kiosk(engine) -> Enrolled:
    return enroll_kiosk(engine, "Mikkeli main 1", "Pääkirjasto")


@pytest.fixture
def other_kiosk(engine) -> Enrolled:
    return enroll_kiosk(engine, "Otava 1", "Otavan kirjasto")


@pytest.fixture
def make_record() -> Callable[..., dict]:
    """``make_record(kiosk_id, kind="rating", **overrides)``: a valid record."""

    def make(kiosk_id: str, kind: str = "rating", **overrides) -> dict:
        record = {
            "id": str(uuid.uuid4()),
            "visit_id": str(uuid.uuid4()),
            "created_at": "2026-11-14T10:00:00.000000Z",
            "kiosk_id": kiosk_id,
            "event_id": "kayttajatori-2026-11",
            "kind": kind,
            "lang": "fi",
            "follow_up_token": new_follow_up_token(),
        }
        if kind == "rating":
            record["rating"] = 3
        elif kind == "themes":
            record["theme_ids"] = ["liikenne"]
        else:
            record["story"] = "Tori elää talvellakin."
        record.update(overrides)
        return record

    return make


@pytest.fixture
def make_batch(make_record) -> Callable[..., tuple[str, bytes]]:
    """``make_batch(kiosk_id, n=3, records=None, batch_id=None)`` -> (batch_id, body bytes)."""

    def make(kiosk_id: str, n: int = 3, records=None, batch_id=None) -> tuple[str, bytes]:
        batch_id = batch_id or str(uuid.uuid4())
        records = records if records is not None else [make_record(kiosk_id) for _ in range(n)]
        return batch_id, canonical_json({"batch_id": batch_id, "records": records})

    return make


@pytest.fixture
def signed() -> Callable[..., dict]:
    """``signed(kiosk, method, path, body=b"", timestamp=None)`` -> the X-Kiosk-* headers."""

    def headers(kiosk: Enrolled, method: str, path: str, body: bytes = b"", timestamp=None):
        ts = int(time.time()) if timestamp is None else timestamp
        return signature_headers(kiosk.kiosk_id, kiosk.secret, method, path, body, ts)

    return headers


@pytest.fixture
def post_batch(client, signed) -> Callable:
    """``post_batch(kiosk, body, **extra_headers)`` -> the response of a signed POST."""

    def post(kiosk: Enrolled, body: bytes, **extra):
        headers = signed(kiosk, "POST", "/api/v1/batches", body) | extra
        headers.setdefault("Content-Type", "application/json")
        return client.post("/api/v1/batches", content=body, headers=headers)

    return post


@pytest.fixture
def count(engine) -> Callable[..., int]:
    """``count(table)``: rows in a table now."""

    def rows(table) -> int:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table)).scalar_one()

    return rows
