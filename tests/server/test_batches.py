"""POST /api/v1/batches on both engines: idempotency, all-or-nothing, limits, ownership."""

from __future__ import annotations

import json
import time
import uuid

from sqlalchemy import select

from sync.protocol import canonical_json, sign_request
from sync.server.db.kiosks import disable_kiosk
from sync.server.db.tables import batches, kiosks, record_themes, records
from sync.signed_pending import pending_signature


def test_valid_batch_is_stored_with_themes_and_story_status(
    engine, kiosk, make_record, make_batch, post_batch, count
):
    visit = str(uuid.uuid4())
    recs = [
        make_record(kiosk.kiosk_id, "rating", visit_id=visit, rating=4),
        make_record(kiosk.kiosk_id, "themes", visit_id=visit, theme_ids=["liikenne", "kulttuuri"]),
        make_record(kiosk.kiosk_id, "story", visit_id=visit, story="Soita minulle 040 123 4567"),
        make_record(kiosk.kiosk_id, "story", visit_id=visit, story="Torille lisää penkkejä."),
    ]
    batch_id, body = make_batch(kiosk.kiosk_id, records=recs)
    ts = str(int(time.time()))
    response = post_batch(
        kiosk,
        body,
        **{
            "X-Kiosk-Timestamp": ts,
            "X-Kiosk-Signature": sign_request(kiosk.secret, "POST", "/api/v1/batches", ts, body),
            "X-Kiosk-Pending": "12",
            "X-Kiosk-Signature-V2": pending_signature(
                kiosk.secret, "POST", "/api/v1/batches", ts, body, 12
            ),
        },
    )
    assert response.status_code == 201, response.text
    assert response.json() == {"batch_id": batch_id, "accepted": 4, "duplicates": 0}
    assert count(records) == 4
    with engine.connect() as conn:
        themes = set(conn.execute(select(record_themes.c.theme_id)).scalars())
        stories = {
            r.story: (r.story_status, r.personal_data_suspected)
            for r in conn.execute(select(records).where(records.c.kind == "story"))
        }
        seen = conn.execute(select(kiosks.c.last_seen_at, kiosks.c.reported_pending)).one()
        batch = conn.execute(select(batches)).one()
    assert themes == {"liikenne", "kulttuuri"}
    assert stories["Soita minulle 040 123 4567"] == ("pending", True)
    assert stories["Torille lisää penkkejä."] == ("pending", False)
    assert seen.last_seen_at is not None and seen.reported_pending == 12
    assert (batch.kiosk_id, batch.record_count, batch.accepted, batch.source) == (
        kiosk.kiosk_id,
        4,
        4,
        "network",
    )


def test_same_batch_twice_gets_the_same_answer(kiosk, make_batch, post_batch, count):
    batch_id, body = make_batch(kiosk.kiosk_id, n=5)
    first = post_batch(kiosk, body)
    second = post_batch(kiosk, body)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() == {"batch_id": batch_id, "accepted": 5, "duplicates": 0}
    assert count(records) == 5 and count(batches) == 1


def test_resent_records_in_a_new_batch_are_duplicates(
    kiosk, make_record, make_batch, post_batch, count
):
    recs = [make_record(kiosk.kiosk_id) for _ in range(4)]
    _, body = make_batch(kiosk.kiosk_id, records=recs)
    assert post_batch(kiosk, body).json()["accepted"] == 4
    new = [make_record(kiosk.kiosk_id) for _ in range(2)]
    batch_id, body = make_batch(kiosk.kiosk_id, records=recs[:3] + new)
    response = post_batch(kiosk, body)
    assert response.status_code == 201
    assert response.json() == {"batch_id": batch_id, "accepted": 2, "duplicates": 3}
    assert count(records) == 6


def test_a_record_twice_in_one_batch_is_stored_once(
    kiosk, make_record, make_batch, post_batch, count
):
    record = make_record(kiosk.kiosk_id)
    _, body = make_batch(kiosk.kiosk_id, records=[record, record])
    assert post_batch(kiosk, body).json()["duplicates"] == 1
    assert count(records) == 1


def test_batch_id_reused_with_other_content_is_409(kiosk, make_batch, post_batch, count):
    batch_id, body = make_batch(kiosk.kiosk_id, n=2)
    assert post_batch(kiosk, body).status_code == 201
    _, other = make_batch(kiosk.kiosk_id, n=2, batch_id=batch_id)
    response = post_batch(kiosk, other)
    assert response.status_code == 409
    assert batch_id in response.json()["error"]
    assert count(records) == 2


def test_batch_id_of_another_kiosk_is_409(
    kiosk, other_kiosk, make_record, make_batch, post_batch, count
):
    batch_id, body = make_batch(kiosk.kiosk_id, n=1)
    assert post_batch(kiosk, body).status_code == 201
    _, theirs = make_batch(
        other_kiosk.kiosk_id, records=[make_record(other_kiosk.kiosk_id)], batch_id=batch_id
    )
    assert post_batch(other_kiosk, theirs).status_code == 409
    assert count(records) == 1


def test_malformed_json_is_400(kiosk, post_batch, count):
    response = post_batch(kiosk, b'{"batch_id": "x", "records": [')
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]
    assert count(batches) == 0


def test_not_utf8_is_400(kiosk, post_batch):
    assert post_batch(kiosk, b"\xff\xfe{}").status_code == 400


def test_wrong_shape_is_422_naming_the_field(kiosk, post_batch):
    response = post_batch(kiosk, canonical_json({"batch_id": "nope", "records": {}, "x": 1}))
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"batch_id", "records", "x"}


def test_schema_error_in_record_37_of_40_stores_nothing(
    kiosk, make_record, make_batch, post_batch, count
):
    recs = [make_record(kiosk.kiosk_id) for _ in range(40)]
    recs[37]["rating"] = 7
    _, body = make_batch(kiosk.kiosk_id, records=recs)
    response = post_batch(kiosk, body)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"record": 37, "field": "rating", "problem": "a rating record needs rating 1, 2, 3 or 4"}
    ]
    assert count(records) == 0 and count(batches) == 0


def test_every_broken_record_is_listed(kiosk, make_record, make_batch, post_batch):
    recs = [make_record(kiosk.kiosk_id) for _ in range(5)]
    recs[1]["created_at"] = "yesterday"
    recs[3]["lang"] = "de"
    del recs[4]["id"]
    _, body = make_batch(kiosk.kiosk_id, records=recs)
    errors = post_batch(kiosk, body).json()["errors"]
    assert {(e["record"], e["field"]) for e in errors} == {
        (1, "created_at"),
        (3, "lang"),
        (4, "id"),
    }


def test_more_than_500_records_is_413(kiosk, make_record, make_batch, post_batch, count):
    _, body = make_batch(kiosk.kiosk_id, records=[make_record(kiosk.kiosk_id) for _ in range(501)])
    assert len(body) < 1024 * 1024
    response = post_batch(kiosk, body)
    assert response.status_code == 413
    assert "501 records" in response.json()["error"]
    assert count(records) == 0


def test_more_than_1_mib_is_413(kiosk, make_record, make_batch, post_batch, count):
    recs = [make_record(kiosk.kiosk_id, "story", story="x" * 1999) for _ in range(500)]
    _, body = make_batch(kiosk.kiosk_id, records=recs)
    assert len(body) > 1024 * 1024
    response = post_batch(kiosk, body)
    assert response.status_code == 413
    assert count(records) == 0


def test_records_of_another_kiosk_are_422(
    kiosk, other_kiosk, make_record, make_batch, post_batch, count
):
    recs = [make_record(kiosk.kiosk_id), make_record(other_kiosk.kiosk_id)]
    _, body = make_batch(kiosk.kiosk_id, records=recs)
    response = post_batch(kiosk, body)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["record"], error["field"]) == (1, "kiosk_id")
    assert other_kiosk.kiosk_id in error["problem"]
    assert count(records) == 0


def test_disabled_kiosk_is_401(engine, kiosk, make_batch, post_batch, count):
    disable_kiosk(engine, kiosk.kiosk_id)
    _, body = make_batch(kiosk.kiosk_id)
    response = post_batch(kiosk, body)
    assert response.status_code == 401
    assert "disabled" in response.json()["error"]
    assert count(records) == 0


def test_nothing_of_a_failed_batch_remains_after_a_later_good_one(
    kiosk, make_record, make_batch, post_batch, count
):
    recs = [make_record(kiosk.kiosk_id) for _ in range(3)]
    bad = [dict(r) for r in recs] + [dict(recs[0], id=str(uuid.uuid4()), kind="bogus")]
    batch_id, bad_body = make_batch(kiosk.kiosk_id, records=bad)
    assert post_batch(kiosk, bad_body).status_code == 422
    # The same batch id, now with good content, is a first delivery, not a 409.
    _, good_body = make_batch(kiosk.kiosk_id, records=recs, batch_id=batch_id)
    assert post_batch(kiosk, good_body).json() == {
        "batch_id": batch_id,
        "accepted": 3,
        "duplicates": 0,
    }


def test_ack_matches_the_protocol_model(kiosk, make_batch, post_batch):
    _, body = make_batch(kiosk.kiosk_id, n=1)
    assert set(json.loads(post_batch(kiosk, body).content)) == {
        "batch_id",
        "accepted",
        "duplicates",
    }


def test_deeply_nested_json_is_400(kiosk, post_batch, count):
    response = post_batch(kiosk, b"[" * 200_000)
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["error"]


def test_lone_surrogate_in_a_story_is_422(kiosk, make_record, post_batch, count):
    record = make_record(kiosk.kiosk_id, "story", story="x")
    body = canonical_json({"batch_id": str(uuid.uuid4()), "records": [record]})
    body = body.replace(b'"story":"x"', b'"story":"a\\ud800b"')
    response = post_batch(kiosk, body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "story"
    assert count(records) == 0


def test_many_broken_records_report_the_first_hundred(kiosk, make_record, make_batch, post_batch):
    recs = [make_record(kiosk.kiosk_id, lang="xx") for _ in range(150)]
    _, body = make_batch(kiosk.kiosk_id, records=recs)
    answer = post_batch(kiosk, body).json()
    assert len(answer["errors"]) == 100
    assert "150 record(s)" in answer["error"] and "first 100 of 150" in answer["error"]


def test_odd_kiosk_id_header_is_401_not_a_crash(client, kiosk, make_batch, signed):
    _, body = make_batch(kiosk.kiosk_id)
    headers = signed(kiosk, "POST", "/api/v1/batches", body) | {"X-Kiosk-Id": "a b\tc/" + "x" * 300}
    assert client.post("/api/v1/batches", content=body, headers=headers).status_code == 401


def test_a_record_that_is_not_an_object_is_named_by_its_index(kiosk, make_record, post_batch):
    body = canonical_json(
        {
            "batch_id": "5b0c1c7e-2f0a-4d3e-9a51-0f6e7d2a9c11",
            "records": [make_record(kiosk.kiosk_id), "not a record"],
        }
    )
    response = post_batch(kiosk, body)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "record", "problem": "must be a JSON object", "record": 1}
    ]


def test_a_batch_without_batch_id_names_it(kiosk, make_record, post_batch):
    response = post_batch(kiosk, canonical_json({"records": [make_record(kiosk.kiosk_id)]}))
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "batch_id", "problem": "is required"}]
