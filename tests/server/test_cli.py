"""kiosk-server subcommands, run in-process through ``main(argv)`` on both engines."""

from __future__ import annotations

import csv
import io
import json
import time

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from sync.demo import demo_config_bytes
from sync.protocol import KioskConfig, make_batch_file
from sync.server import cli
from sync.server.db.kiosks import Enrolled
from sync.server.db.tables import batches, events, kiosks, records, staff_users, themes


@pytest.fixture
def run(db_url, tmp_path, capsys):
    """``run(*argv, stdin=None)`` -> (exit status, stdout, stderr) against this test's database."""

    def run(*argv: str, stdin: str | None = None):
        if stdin is not None:
            import sys

            old, sys.stdin = sys.stdin, io.StringIO(stdin)
        try:
            status = cli.main(
                [*argv, "--database-url", db_url, "--data-dir", str(tmp_path / "data")]
            )
        finally:
            if stdin is not None:
                sys.stdin = old
        out, err = capsys.readouterr()
        return status, out, err

    return run


def test_init_is_idempotent(run, engine):
    assert run("init")[0] == 0
    status, out, _ = run("init")
    assert status == 0 and "Database ready" in out


def test_enroll_disable_and_errors(run, engine):
    status, out, _ = run("enroll-kiosk", "Mikkeli Pääkirjasto 1", "--site", "Pääkirjasto", "--json")
    assert status == 0
    enrolled = json.loads(out)
    assert enrolled["kiosk_id"] == "mikkeli-paakirjasto-1"
    assert len(enrolled["secret"]) == 43  # 32 bytes, base64url without padding
    status, _, err = run("enroll-kiosk", "Mikkeli Pääkirjasto 1", "--site", "X")
    assert status == 1 and "already exists" in err
    status, out, _ = run("enroll-kiosk", "Otava", "--site", "Otava", "--id", "otava-7")
    assert status == 0 and "otava-7" in out and "secret" in out
    assert run("disable-kiosk", "otava-7")[0] == 0
    status, _, err = run("disable-kiosk", "nobody")
    assert status == 1 and "no kiosk 'nobody'" in err
    with engine.connect() as conn:
        disabled = dict(conn.execute(select(kiosks.c.id, kiosks.c.disabled_at)).all())
    assert disabled["otava-7"] is not None and disabled["mikkeli-paakirjasto-1"] is None


def test_add_staff_stores_an_argon2id_hash(run, engine):
    status, _, _ = run("add-staff", "liisa", "--password-stdin", stdin="correct horse battery\n")
    assert status == 0
    with engine.connect() as conn:
        stored = conn.execute(select(staff_users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PasswordHasher().verify(stored, "correct horse battery")
    status, _, err = run("add-staff", "liisa", "--password-stdin", stdin="another password\n")
    assert status == 1 and "already exists" in err
    status, _, err = run("add-staff", "pekka", "--password-stdin", stdin="short\n")
    assert status == 1 and "at least" in err


def test_add_staff_asks_twice(run, engine, monkeypatch):
    # getpass needs a terminal, which a test run has not; this replaces only that prompt.
    answers = iter(["first password", "second password"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(answers))
    status, _, err = run("add-staff", "liisa")
    assert status == 1 and "differ" in err
    answers = iter(["same password!", "same password!"])
    assert run("add-staff", "liisa")[0] == 0


def _deliver(kiosk, make_record, make_batch, post_batch, **overrides):
    recs = [make_record(kiosk.kiosk_id, **overrides) for _ in range(2)]
    _, body = make_batch(kiosk.kiosk_id, records=recs)
    assert post_batch(kiosk, body).status_code == 201
    return recs


def test_export_csv_and_jsonl_with_filters(run, kiosk, make_record, make_batch, post_batch):
    old = _deliver(kiosk, make_record, make_batch, post_batch, created_at="2026-10-01T08:00:00Z")
    new = _deliver(
        kiosk,
        make_record,
        make_batch,
        post_batch,
        created_at="2026-11-14T08:00:00Z",
        event_id="other",
    )
    status, out, _ = run("export", "--format", "jsonl")
    assert status == 0
    lines = [json.loads(line) for line in out.splitlines()]
    # In creation order: the October records first.
    assert {line["record_id"] for line in lines[:2]} == {r["id"] for r in old}
    assert {line["record_id"] for line in lines} == {r["id"] for r in old + new}
    assert "follow_up_token" not in lines[0]
    _, out, _ = run("export", "--format", "jsonl", "--since", "2026-11-01")
    assert {json.loads(line)["record_id"] for line in out.splitlines()} == {r["id"] for r in new}
    _, out, _ = run("export", "--format", "jsonl", "--event", "kayttajatori-2026-11")
    assert {json.loads(line)["record_id"] for line in out.splitlines()} == {r["id"] for r in old}
    status, out, _ = run("export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    assert status == 0 and {r["record_id"] for r in rows} == {r["id"] for r in old + new}
    status, _, err = run("export", "--since", "last tuesday")
    assert status == 1 and "ISO time" in err


def test_import_batch_is_idempotent_and_checks_the_signature(
    run, engine, kiosk: Enrolled, make_batch, tmp_path, count
):
    batch_id, body = make_batch(kiosk.kiosk_id, n=4)
    week_old = int(time.time()) - 7 * 24 * 3600  # sticks travel: no clock rule
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(make_batch_file(kiosk.kiosk_id, kiosk.secret, body, week_old)))
    status, out, _ = run("import-batch", str(path))
    assert status == 0
    assert json.loads(out) == {"batch_id": batch_id, "accepted": 4, "duplicates": 0}
    status, again, _ = run("import-batch", str(path))
    assert status == 0 and again == out
    with engine.connect() as conn:
        assert conn.execute(select(batches.c.source)).scalar_one() == "usb"
    assert count(records) == 4

    tampered = json.loads(path.read_text())
    tampered["body"] = tampered["body"].replace('"rating":3', '"rating":2')
    path.write_text(json.dumps(tampered))
    status, _, err = run("import-batch", str(path))
    assert status == 2 and "does not match" in err
    path.write_text('{"format": "something else"}')
    status, _, err = run("import-batch", str(path))
    assert status == 2 and "not a batch file" in err
    status, _, err = run("import-batch", str(tmp_path / "missing.json"))
    assert status == 2 and "cannot read" in err
    assert count(records) == 4


def test_import_batch_refuses_bad_records(run, kiosk, make_record, make_batch, tmp_path, count):
    recs = [make_record(kiosk.kiosk_id), make_record(kiosk.kiosk_id, lang="de")]
    _, body = make_batch(kiosk.kiosk_id, records=recs)
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(make_batch_file(kiosk.kiosk_id, kiosk.secret, body, 1)))
    status, _, err = run("import-batch", str(path))
    assert status == 2 and "record 1: lang" in err
    assert count(records) == 0


def _envelope(kiosk: Enrolled, body: bytes, **changes) -> bytes:
    return json.dumps(make_batch_file(kiosk.kiosk_id, kiosk.secret, body, 1) | changes).encode()


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("nested", "nested too deeply"),
        ("nested-body", "nested too deeply"),
        ("oversized", "over"),
        ("not-json", "not UTF-8 JSON"),
        ("not-utf8", "not UTF-8 JSON"),
        ("array", "not a batch file"),
        ("bad-signature", "does not match"),
        ("infinite-timestamp", "timestamp"),
        ("huge-timestamp", "timestamp"),
        ("surrogate-body", "not valid Unicode"),
        ("nul-kiosk", "unknown kiosk"),
        ("foreign-token", "follow_up_token"),
    ],
)
def test_import_batch_names_any_bad_file_in_one_line_exit_2(
    run, kiosk, make_record, make_batch, tmp_path, count, name, words
):
    _, body = make_batch(kiosk.kiosk_id, n=2)
    good = json.loads(_envelope(kiosk, body))
    contents = {
        "nested": b"[" * 100_000 + b"]" * 100_000,
        "nested-body": _envelope(kiosk, b"[" * 100_000 + b"]" * 100_000),
        "oversized": b" " * (cli.USB_FILE_MAX_BYTES + 1),
        "not-json": b"PK\x03\x04 a zip, not a batch",
        "not-utf8": b'{"format": "\xff"}',
        "array": b"[1, 2]",
        "bad-signature": _envelope(kiosk, body, signature="ä" * 64),
        "infinite-timestamp": json.dumps(good)
        .replace('"timestamp": 1', '"timestamp": 1e999')
        .encode(),
        "huge-timestamp": json.dumps(good | {"timestamp": "1" * 5000}).encode(),
        "surrogate-body": json.dumps(good | {"body": "\ud800"}).encode(),
        "nul-kiosk": _envelope(kiosk, body, kiosk_id="a\x00b"),
        "foreign-token": b"",
    }
    if name == "foreign-token":
        first = make_record(kiosk.kiosk_id)
        _, body = make_batch(kiosk.kiosk_id, records=[first])
        (tmp_path / "first.json").write_bytes(_envelope(kiosk, body))
        assert run("import-batch", str(tmp_path / "first.json"))[0] == 0
        other = make_record(kiosk.kiosk_id, follow_up_token=first["follow_up_token"])
        _, body = make_batch(kiosk.kiosk_id, records=[other])
        contents[name] = _envelope(kiosk, body)
    path = tmp_path / "batch.json"
    path.write_bytes(contents[name])
    before = count(records)
    status, out, err = run("import-batch", str(path))
    assert status == 2, err
    assert out == "" and len(err.strip().splitlines()) == 1, err
    assert words in err and "Traceback" not in err
    assert count(records) == before


def test_seed_demo_is_idempotent(run, engine, tmp_path):
    content = {
        "generated_at": "2026-11-01T00:00:00Z",
        "public_base_url": "http://x",
        "event": {
            "id": "demo-event",
            "name": {"fi": "Demo"},
            "date": "2026-11-14",
            "question": {"fi": "Mitä kuuluu?"},
        },
        "themes": [
            {"id": "a", "name": {"fi": "A"}, "path": [{"date": "2027-01-01", "title": {"fi": "S"}}]}
        ],
    }
    path = tmp_path / "config.json"
    path.write_text(json.dumps(content))
    assert run("seed-demo", "--file", str(path))[0] == 0
    status, out, _ = run("seed-demo", "--file", str(path))
    assert status == 0 and "0 new steps" in out
    with engine.connect() as conn:
        assert conn.execute(select(themes.c.id)).scalars().all() == ["a"]
        assert conn.execute(select(events.c.id, events.c.active)).all() == [("demo-event", True)]
    path.write_text("{}")
    status, _, err = run("seed-demo", "--file", str(path))
    assert status == 1 and "not kiosk-config JSON" in err


def test_seed_demo_loads_the_bundled_demo(run, engine):
    assert run("seed-demo")[0] == 0
    expected = KioskConfig.model_validate_json(demo_config_bytes())
    with engine.connect() as conn:
        assert len(conn.execute(select(themes.c.id)).all()) == len(expected.themes)


def test_serve_help_lists_every_setting_as_its_variable(capsys):
    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    shown = capsys.readouterr().out
    for name in ("KT_DISTRICTS", "KT_AGE_GROUPS", "KT_DATABASE_URL", "KT_WORKERS"):
        assert name in shown


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql+psycopg://kiosk_server:Pa55-$ecret@127.0.0.1:1/kiosk_server", "refused"),
        ("nonsense://x", "nonsense"),
    ],
)
def test_a_database_that_cannot_be_reached_is_one_line_naming_the_setting(url, reason, capsys):
    assert cli.main(["init", "--database-url", url]) == 1
    out, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1, err  # no traceback
    assert "KT_DATABASE_URL" in err and reason in err.lower()
    assert "Pa55-$ecret" not in err  # the password is not repeated


def test_a_data_folder_that_cannot_be_made_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert cli.main(["init", "--data-dir", str(blocker / "state")]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and str(blocker) in err


def test_demo_visits_are_refused_where_phones_could_reach_the_server(run, engine, count):
    status, _, err = run(
        "seed-demo", "--demo-visits", "--public-base-url", "https://osallistu.mikkeli.fi"
    )
    assert status == 1 and "not this machine" in err
    assert count(records) == 0
    with engine.connect() as conn:
        assert conn.execute(select(themes.c.id)).first() is None  # refused before anything


def test_seed_demo_with_visits_prints_a_follow_up_link_and_is_idempotent(run, engine, count):
    status, out, _ = run("seed-demo", "--demo-visits")
    assert status == 0, out
    stored = count(records)
    assert stored > 300
    link = out.split("Try a follow-up page: ")[1].strip()
    assert link.startswith("http://127.0.0.1:8765/f/")
    status, again, _ = run("seed-demo", "--demo-visits")
    assert status == 0 and "nothing added" in again
    assert count(records) == stored
    assert again.split("Try a follow-up page: ")[1].strip() == link
