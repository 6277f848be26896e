"""A stolen kiosk reveals nothing the server already has (issue 10, reproduction 9): the archive
keeps id, visit id, kind and time only; an archive written whole by an older version is stripped
when the store opens."""

from __future__ import annotations

import os

import pytest

from kiosk.store import DuplicateRecordError, LocalStore, fileio
from kiosk.store.archive import ARCHIVE_DIR, ARCHIVE_FIELDS
from kiosk.store.segments import Segment
from tests.store.records import make_record


def _everything(folder) -> bytes:
    out = []
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            with open(os.path.join(dirpath, name), "rb") as handle:
                out.append(handle.read())
    return b"".join(out)


def test_synced_records_leave_no_story_or_token_on_disk(tmp_path):
    folder = str(tmp_path / "kiosk-data")
    store = LocalStore(folder)
    story = make_record(kind="story", story="Salaisuus: puhelinnumeroni on 040 1234567")
    rating = make_record(kind="rating")
    story_id, rating_id = store.save(story), store.save(rating)
    assert b"Salaisuus" in _everything(folder)  # pending: still here, it must reach the server
    store.mark_synced([story_id, rating_id])
    on_disk = _everything(folder)
    assert b"Salaisuus" not in on_disk
    assert story["follow_up_token"].encode() not in on_disk
    assert rating["follow_up_token"].encode() not in on_disk
    # What dedupe and counts need is still there.
    assert store.status(story_id) == "synced" and store.counts()["synced"] == 2
    with pytest.raises(DuplicateRecordError):
        store.save(dict(story, id=story_id))
    assert store.purge_expired() == 0
    store.close()
    reopened = LocalStore(folder)
    assert reopened.status(story_id) == "synced" and reopened.counts()["synced"] == 2
    reopened.close()


def test_an_archive_written_whole_is_stripped_on_open(tmp_path):
    folder = tmp_path / "kiosk-data"
    store = LocalStore(str(folder))
    store.close()
    whole = make_record(1, kind="story", story="Vanha tarina kokonaisena")
    month = folder / ARCHIVE_DIR / whole["created_at"][:7]
    month.mkdir(parents=True)
    Segment(str(month / "000001.json"), fileio).insert_many([whole])
    assert b"Vanha tarina" in _everything(folder)

    store = LocalStore(str(folder))
    assert store.status(whole["id"]) == "synced"
    store.close()
    on_disk = _everything(folder)
    assert b"Vanha tarina" not in on_disk and whole["follow_up_token"].encode() not in on_disk
    kept = Segment(str(month / "000001.json"), fileio).load()
    assert kept == [{k: whole[k] for k in ARCHIVE_FIELDS}]
