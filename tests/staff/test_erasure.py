"""A withdrawn story is gone from the database files, not only from its row (issue 10, repro 8)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from sync.server.db.erasure import flush_erasure, vacuum_erased_tables
from tests.staff.conftest import make_visit


def _withdraw(client, token: str) -> None:
    page = client.get(f"/f/{token}")
    wt = re.search(r'name="wt" value="([^"]+)"', page.text)
    assert wt, "the follow-up page has no withdraw form"
    response = client.post(
        f"/f/{token}/withdraw", data={"wt": wt.group(1), "confirm": "yes"}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def _database_files(settings) -> list[Path]:
    folder = Path(settings.data_dir)
    return [p for p in folder.iterdir() if p.name.startswith("server.db")]


def test_withdrawn_story_is_not_in_the_sqlite_files(client, kiosk, post_batch, settings, engine):
    secret_words = f"Salainen tarina {uuid.uuid4().hex} jonka kävijä perui"
    kept_words = f"Toinen tarina {uuid.uuid4().hex} joka jää"
    withdrawn = make_visit(kiosk.kiosk_id, story=secret_words)
    kept = make_visit(kiosk.kiosk_id, story=kept_words)
    post_batch(kiosk, withdrawn)
    post_batch(kiosk, kept)
    files = _database_files(settings)
    assert {p.name for p in files} >= {"server.db", "server.db-wal"}
    everything = b"".join(p.read_bytes() for p in files)
    assert secret_words.encode() in everything  # the grep below would find it if it were there

    _withdraw(client, withdrawn[0]["follow_up_token"])

    for path in _database_files(settings):
        assert secret_words.encode() not in path.read_bytes(), path.name
    # Only the withdrawn story went; the database still works and holds the other one.
    assert kept_words.encode() in b"".join(p.read_bytes() for p in _database_files(settings))
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA secure_delete")).scalar() == 1
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_purge_vacuums_the_erased_tables(engine):
    vacuum_erased_tables(engine)
    if engine.dialect.name == "postgresql":
        assert flush_erasure(engine) is None
        with engine.connect() as conn:
            before = conn.execute(text("SELECT pg_relation_filenode('records')")).scalar()
        vacuum_erased_tables(engine, full=True)
        with engine.connect() as conn:
            after = conn.execute(text("SELECT pg_relation_filenode('records')")).scalar()
        assert before != after  # VACUUM FULL rewrote the table into a new file
    else:
        checkpoint = flush_erasure(engine)
        assert checkpoint is not None and not checkpoint.busy
