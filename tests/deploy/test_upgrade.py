"""Upgrades keep every row: a database made at the first migration and filled with rows of every
column type is upgraded, one revision at a time and then with ``upgrade`` as ``serve`` runs it,
and every row of every table that existed before is still there, unchanged. The schema at head
must also equal ``tables.py``, so a table change without its migration fails here."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from sync.server.db import migrate
from sync.server.db.engine import make_engine
from sync.server.db.migrate import current_revision, head_revision, upgrade
from sync.server.db.tables import metadata
from tests.deploy.rows import ROWS_PER_TABLE, column_names, dump_every_table, fill_every_table


def _revisions_oldest_first() -> list[str]:
    script = ScriptDirectory.from_config(migrate._config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _kept(old: dict, new: dict) -> None:
    for name, rows in old.items():
        assert name in new, f"table {name} disappeared in the upgrade"
        assert new[name] == rows, f"rows of {name} changed in the upgrade"


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_upgrading_from_the_first_migration_loses_nothing(kind, new_database):
    revisions = _revisions_oldest_first()
    assert revisions and revisions[-1] == head_revision()
    engine = make_engine(new_database(kind))
    try:
        upgrade(engine, revisions[0])
        assert current_revision(engine) == revisions[0]
        counts = fill_every_table(engine)
        assert len(counts) >= 10 and set(counts.values()) == {ROWS_PER_TABLE}
        old_columns = column_names(engine)
        first = dump_every_table(engine)

        for revision in revisions[1:]:  # every step on its own, as a server upgraded often does
            upgrade(engine, revision)
            assert current_revision(engine) == revision
            _kept(first, dump_every_table(engine, columns=old_columns))

        upgrade(engine)  # what `kiosk-server serve` runs at start: idempotent at head
        assert current_revision(engine) == head_revision()
        _kept(first, dump_every_table(engine, columns=old_columns))

        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), metadata)
        assert differences == [], "tables.py differs from the migrated schema: add a migration"
    finally:
        engine.dispose()
