"""LocalStore behaviour one property at a time: validation, lock, quarantine, retention, extras."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.store import (
    DuplicateRecordError,
    LocalStore,
    RecordValidationError,
    StoreClosedError,
    StoreLockedError,
)
from tests.store.crashfs import CrashFS
from tests.store.records import iso, make_record

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def all_files(folder) -> dict[str, bytes]:
    out = {}
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as handle:
                out[os.path.relpath(path, folder)] = handle.read()
    return out


@pytest.fixture
def folder(tmp_path):
    return str(tmp_path / "kiosk-data")


# --- validation


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("rating", {"rating": 0}),
        ("lang", {"lang": "de"}),
        ("created_at", {"created_at": "2026-11-28T10:00:00"}),
        ("theme_ids", {"kind": "themes", "rating": None, "theme_ids": ["a", "b", "c", "d"]}),
        ("story", {"kind": "story", "rating": None, "story": "ä" * 2001}),
        ("follow_up_token", {"follow_up_token": "abc"}),
        ("visit_id", {"visit_id": "visit-1"}),
    ],
)
def test_a_bad_record_names_the_field_and_writes_nothing(folder, field, change):
    with LocalStore(folder) as store:
        store.save(make_record())
        before = all_files(folder)
        with pytest.raises(RecordValidationError) as caught:
            store.save({**make_record(), **change})
        assert [e.field for e in caught.value.errors] == [field]
        assert caught.value.errors[0].problem
        assert all_files(folder) == before
        assert store.counts()["pending"] == 1


def test_a_record_that_is_not_a_mapping_is_refused(folder):
    with LocalStore(folder) as store, pytest.raises(RecordValidationError) as caught:
        store.save(["not", "a", "record"])  # type: ignore[arg-type]
    assert caught.value.errors[0].field == "record"


def test_configured_age_groups_and_districts_are_enforced(folder):
    with LocalStore(folder, age_groups=["nuori", "aikuinen"], districts=["keskusta"]) as store:
        store.save(make_record(age_group="nuori", district="keskusta"))
        with pytest.raises(RecordValidationError, match="age_group"):
            store.save(make_record(age_group="18-29"))
        with pytest.raises(RecordValidationError, match="district"):
            store.save(make_record(district="rantakylä"))


def test_save_assigns_an_id_and_normalises_the_story(folder):
    with LocalStore(folder) as store:
        record_id = store.save(make_record(kind="story", story="Cafe\u0301\x07 torilla\r\n"))
        (stored,) = store.pending()
    assert stored["id"] == record_id
    assert stored["story"] == "Caf\u00e9 torilla"


def test_an_id_already_stored_with_other_contents_is_refused(folder):
    with LocalStore(folder) as store:
        record = make_record(1)
        assert store.save(record) == record["id"]
        assert store.save(record) == record["id"]  # retry of the same record: no duplicate
        with pytest.raises(DuplicateRecordError, match="pending"):
            store.save(make_record(1))
        store.mark_synced([record["id"]])
        with pytest.raises(DuplicateRecordError, match="synced"):
            store.save(record)
        assert store.counts() == {"pending": 0, "synced": 1, "oldest_pending_created_at": None}


# --- pending / mark_synced / counts


def test_pending_is_oldest_first_and_mark_synced_moves_records(folder):
    with LocalStore(folder) as store:
        ids = [store.save(make_record(days_ago=d)) for d in (0, 5, 1)]
        assert [r["id"] for r in store.pending()] == ids  # save order, not created_at
        assert [r["id"] for r in store.pending(limit=2)] == ids[:2]
        assert store.counts()["oldest_pending_created_at"] == store.pending()[1]["created_at"]
        store.mark_synced([ids[1], "no-such-id", ids[1]])
        assert store.counts()["pending"] == 2 and store.counts()["synced"] == 1
        assert [store.status(i) for i in ids] == ["pending", "synced", "pending"]
        assert store.status("no-such-id") is None
        with pytest.raises(TypeError, match="ids"):
            store.mark_synced(ids[0])


def test_returned_records_are_copies(folder):
    with LocalStore(folder) as store:
        store.save(make_record(kind="themes"))
        first = store.pending()[0]
        first["theme_ids"].append("vandalised")
        first["lang"] = "xx"
        assert store.pending()[0]["theme_ids"] == ["liikenne", "kulttuuri"]
        assert store.pending()[0]["lang"] == "fi"


def test_several_threads_may_save_at_once(folder):
    with LocalStore(folder) as store:
        ids: list[str] = []

        def saver() -> None:
            for _ in range(15):
                ids.append(store.save(make_record()))

        threads = [threading.Thread(target=saver) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(r["id"] for r in store.pending()) == sorted(ids)
    with LocalStore(folder) as store:
        assert store.counts()["pending"] == 45


def test_closed_store_refuses_use(folder):
    store = LocalStore(folder)
    store.close()
    store.close()  # idempotent
    with pytest.raises(StoreClosedError, match="closed"):
        store.save(make_record())


# --- one writer


def test_a_second_process_gets_a_clear_lock_error(folder):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from kiosk.store import LocalStore; s = LocalStore(sys.argv[1]); "
            "print('open', flush=True); sys.stdin.read()",
            folder,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=REPO,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "open\n"
        with pytest.raises(StoreLockedError) as caught:
            LocalStore(folder)
        assert folder in str(caught.value)
        assert caught.value.holder_pid == holder.pid
        assert str(holder.pid) in str(caught.value)
    finally:
        holder.stdin.close()  # the holder exits; its lock goes with it
        holder.wait(timeout=30)
        holder.stdout.close()
    with LocalStore(folder) as store:
        assert store.health()["ok"]


def test_a_second_store_in_the_same_process_is_refused_until_close(folder):
    first = LocalStore(folder)
    with pytest.raises(StoreLockedError):
        LocalStore(folder)
    first.close()
    LocalStore(folder).close()


# --- recovery


def test_an_unreadable_segment_is_quarantined_and_the_store_keeps_working(folder):
    class SmallStore(LocalStore):
        pending_segment_records = 2

    with SmallStore(folder) as store:
        ids = [store.save(make_record()) for _ in range(5)]  # segments 1, 2, 3
    broken = os.path.join(folder, "pending", "000000000002.json")
    with open(broken, "wb") as handle:
        handle.write(b'{"records": {"1": {"id": "x", "created_')  # torn by a bad disk
    with SmallStore(folder) as store:
        health = store.health()
        assert not health["ok"]
        (moved,) = health["quarantined"]
        assert health["quarantined_at_open"] == [moved]
        assert "pending__000000000002.json" in moved
        with open(moved, "rb") as handle:
            assert handle.read().endswith(b"created_")  # kept byte for byte
        assert [r["id"] for r in store.pending()] == [ids[0], ids[1], ids[4]]
        new_id = store.save(make_record())
        store.mark_synced([ids[0]])
    with SmallStore(folder) as store:
        assert store.status(new_id) == "pending" and store.status(ids[0]) == "synced"
        assert len(store.health()["quarantined"]) == 1  # stays visible until staff act
        assert store.health()["quarantined_at_open"] == []


@pytest.mark.parametrize(
    ("relative", "content"),
    [
        ("meta.json", b"\x00\x00\x00"),
        ("kiosk-config.json", b"[1, 2, 3]"),
        ("archive/ARCHIVE_MONTH/000001.json", b'{"records": {"1": {"no": "id"}}}'),
        ("pending/000000000002.json", '{"records": "ä"}'.encode("latin-1")),
    ],
)
def test_every_kind_of_store_file_is_quarantined_when_unreadable(folder, relative, content):
    with LocalStore(folder) as store:
        record_id = store.save(make_record())
        store.mark_synced([record_id])
        store.save(make_record())
        store.set_meta("k", 1)
        store.put_kiosk_config({"themes": []}, "etag-1")
    month = os.listdir(os.path.join(folder, "archive"))[0]
    path = os.path.join(folder, relative.replace("ARCHIVE_MONTH", month))
    assert os.path.exists(path)
    with open(path, "wb") as handle:
        handle.write(content)
    with LocalStore(folder) as store:
        assert len(store.health()["quarantined"]) == 1
        assert not os.path.exists(path)
        store.save(make_record())
        store.set_meta("k", 2)
        assert store.get_meta("k") == 2


def test_temporary_files_of_interrupted_writes_are_removed_not_quarantined(folder):
    with LocalStore(folder) as store:
        store.save(make_record())
    leftover = os.path.join(folder, "pending", ".000000000001.json.tmp")
    with open(leftover, "wb") as handle:
        handle.write(b'{"records": {"1": {')
    with LocalStore(folder) as store:
        health = store.health()
        assert health["ok"] and health["removed_temp_files"] == 1
        assert store.counts()["pending"] == 1
    assert not os.path.exists(leftover)


def test_all_file_io_goes_through_the_fileio_module(tmp_path):
    simulated = tmp_path / "simulated-disk"
    fs = CrashFS(str(simulated))
    store = LocalStore(str(simulated / "kiosk-data"), fileio=fs)
    record_id = store.save(make_record())
    store.mark_synced([record_id])
    store.save(make_record(days_ago=200))
    store.set_meta("k", [1])
    store.put_kiosk_config({"a": 1}, None)
    store.purge_expired()
    assert store.pending()
    assert store.health()["ok"]
    store.close()
    assert not simulated.exists(), "the store wrote to the real disk, around fileio"
    assert fs.list_dir(str(simulated / "kiosk-data")) == [
        "archive",
        "kiosk-config.json",
        "meta.json",
        "pending",
        "quarantine",
    ]


# --- bounded cost (bytes, not time: timing belongs to benchmarks/store_save.py)


def written_by(fs: CrashFS, action) -> int:
    sizes: list[int] = []
    original = fs.write_file

    def counting(path: str, data: bytes) -> None:
        sizes.append(len(data))
        original(path, data)

    fs.write_file = counting  # type: ignore[method-assign]
    try:
        action()
    finally:
        fs.write_file = original  # type: ignore[method-assign]
    return sum(sizes)


def test_a_save_and_a_mark_synced_rewrite_a_bounded_amount(tmp_path):
    fs = CrashFS(str(tmp_path / "sim"))
    store = LocalStore(str(tmp_path / "sim" / "data"), fileio=fs)
    bound = LocalStore.pending_segment_bytes + 8 * 1024
    for stored in range(1, 1201):
        record = make_record()
        cost = written_by(fs, lambda record=record: store.save(record))
        assert cost <= bound, f"save #{stored} wrote {cost} bytes"
        if stored % 100 == 0:
            batch = [r["id"] for r in store.pending(limit=50)]
            cost = written_by(fs, lambda batch=batch: store.mark_synced(batch))
            assert cost <= LocalStore.archive_segment_bytes + 2 * bound
    assert store.counts()["pending"] == 600
    assert len(fs.list_dir(str(tmp_path / "sim" / "data" / "pending"))) >= 6


# --- retention


def test_purge_removes_only_synced_records_past_retention(folder):
    with LocalStore(folder, retention_days=90) as store:
        early = store.save(make_record(created_at="2020-03-10T12:00:00Z"))
        late = store.save(make_record(created_at="2020-03-20T12:00:00Z"))
        older = store.save(make_record(created_at="2020-01-05T12:00:00Z"))
        unsynced = store.save(make_record(created_at="2020-01-06T12:00:00Z"))
        store.mark_synced([early, late, older])
        now = datetime(2020, 3, 17, 12, tzinfo=UTC) + timedelta(days=90)
        assert store.purge_expired(now=now) == 2
        assert [store.status(i) for i in (early, late, older, unsynced)] == [
            None,
            "synced",
            None,
            "pending",
        ]
        assert sorted(os.listdir(os.path.join(folder, "archive"))) == ["2020-03"]
        assert store.purge_expired(now=now) == 0
        with pytest.raises(ValueError, match="now"):
            store.purge_expired(now=datetime(2020, 6, 1))


def test_open_purges_with_the_configured_retention(folder):
    with LocalStore(folder) as store:
        ids = [store.save(make_record(days_ago=d)) for d in (40, 10)]
        store.mark_synced(ids)
    with LocalStore(folder, retention_days=30) as store:
        assert [store.status(i) for i in ids] == [None, "synced"]
        assert store.counts()["synced"] == 1
    with pytest.raises(ValueError, match="retention_days"):
        LocalStore(folder, retention_days=0)


# --- small documents


def test_meta_and_kiosk_config_survive_reopening(folder):
    with LocalStore(folder) as store:
        assert store.kiosk_config() == (None, None)
        assert store.get_meta("last_sync", "never") == "never"
        store.put_kiosk_config({"themes": [{"id": "liikenne"}]}, 'W/"abc"')
        store.set_meta("last_sync", {"ok": True, "sent": 12})
        value = store.get_meta("last_sync")
        value["sent"] = 0  # a copy
        before = all_files(folder)
        with pytest.raises(TypeError, match="when"):
            store.set_meta("when", datetime.now(UTC))
        assert all_files(folder) == before
    with LocalStore(folder) as store:
        assert store.kiosk_config() == ({"themes": [{"id": "liikenne"}]}, 'W/"abc"')
        assert store.get_meta("last_sync") == {"ok": True, "sent": 12}
        store.put_kiosk_config({"themes": []}, None)
        assert store.kiosk_config() == ({"themes": []}, None)
    data = json.loads(all_files(folder)["kiosk-config.json"])
    assert list(data["kiosk_config"]) == ["1"]


def test_the_store_imports_no_ui_and_no_http():
    code = (
        "import sys, kiosk.store; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('kivy', 'httpx', 'fastapi', 'starlette', 'requests', 'urllib3', 'http')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_iso_helper_is_utc():
    assert iso(datetime(2026, 1, 1, 2, tzinfo=UTC)) == "2026-01-01T02:00:00.000000Z"
