"""Reproductions of issue 10 (hostile input), one regression test each, on SQLite and PostgreSQL.

Each test is the attack as it was tried from outside with plain HTTP (in-process here): the
answer must be a 4xx naming what was wrong, never a 5xx, and nothing bad may be stored.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert

from sync.protocol import canonical_json, new_follow_up_token
from sync.server.db.staff_users import add_staff_user
from sync.server.db.tables import batches, records

STAFF_USER, STAFF_PASSWORD = "liisa", "oikein-hyvä-salasana"


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field"
    return match.group(1)


@pytest.fixture
def signed_in(client, engine) -> str:
    """Sign the client in as a staff member; returns the session's CSRF token."""
    add_staff_user(engine, STAFF_USER, STAFF_PASSWORD)
    page = client.get("/staff/login")
    response = client.post(
        "/staff/login",
        data={"csrf": _csrf(page.text), "username": STAFF_USER, "password": STAFF_PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return _csrf(client.get("/staff/").text)


def _fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


# --- 1. created_at: bounded at ingest; any stored value still renders


@pytest.mark.parametrize(
    "created_at",
    ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "0999-06-01T00:00:00Z", "2019-12-31T23:59Z"],
)
def test_created_at_out_of_range_is_422_naming_the_field(
    kiosk, make_record, make_batch, post_batch, count, created_at
):
    _, body = make_batch(
        kiosk.kiosk_id, records=[make_record(kiosk.kiosk_id, created_at=created_at)]
    )
    response = post_batch(kiosk, body)
    assert response.status_code == 422, response.text
    assert _fields(response) == {"created_at"}
    assert count(records) == 0


def test_created_at_bounds_are_the_documented_ones(kiosk, make_record, make_batch, post_batch):
    now = datetime.now(UTC)
    iso = "%Y-%m-%dT%H:%M:%SZ"
    inside = [
        "2020-01-01T00:00:00Z",
        (now + timedelta(hours=23, minutes=50)).strftime(iso),
    ]
    outside = [
        "2019-12-31T23:59:59Z",
        (now + timedelta(hours=24, minutes=10)).strftime(iso),
    ]
    for when in inside:
        _, body = make_batch(kiosk.kiosk_id, records=[make_record(kiosk.kiosk_id, created_at=when)])
        assert post_batch(kiosk, body).status_code == 201, when
    for when in outside:
        _, body = make_batch(kiosk.kiosk_id, records=[make_record(kiosk.kiosk_id, created_at=when)])
        response = post_batch(kiosk, body)
        assert response.status_code == 422, when
        assert _fields(response) == {"created_at"}


@pytest.mark.parametrize("stored", [datetime(9999, 12, 31, 23, 59, 59), datetime(1, 1, 1)])
def test_rows_stored_before_the_bound_still_render(
    client, engine, kiosk, signed_in, stored, make_record
):
    # Rows a server stored before the bound existed: the pages must still answer.
    batch_id, token = str(uuid.uuid4()), new_follow_up_token()
    record = make_record(kiosk.kiosk_id, "story", follow_up_token=token)
    with engine.begin() as conn:
        conn.execute(
            insert(batches).values(
                batch_id=batch_id,
                kiosk_id=kiosk.kiosk_id,
                received_at=datetime.now(UTC),
                content_sha256="0" * 64,
                record_count=1,
                accepted=1,
                duplicates=0,
                source="network",
            )
        )
        conn.execute(
            insert(records).values(
                {
                    **{k: record[k] for k in ("id", "visit_id", "kiosk_id", "event_id", "kind")},
                    **{k: record[k] for k in ("story", "lang", "follow_up_token")},
                    "batch_id": batch_id,
                    "created_at": stored.replace(tzinfo=UTC),
                    "received_at": datetime.now(UTC),
                    "theme_ids": [],
                    "flags": [],
                    "story_status": "pending",
                    "personal_data_suspected": False,
                }
            )
        )
    for url in (
        "/staff/stories",
        f"/staff/batches/{batch_id}",
        "/staff/batches",
        "/staff/",
        "/staff/api/overview",
        "/staff/api/stories",
        "/staff/api/export?format=csv",
        "/staff/api/export?format=jsonl",
        f"/f/{token}",
        f"/f/{token}/events.ics",
        "/staff/pictures",
        "/staff/charts/faces.svg",
        "/staff/charts/age.svg",
    ):
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
    export = client.get("/staff/api/export", params={"format": "jsonl"}).text
    assert f'"created_at":"{stored.year:04d}-' in export.replace(" ", "")


def test_staff_dates_are_bounded_and_a_stored_last_day_still_downloads(
    client, engine, signed_in, kiosk, make_record, make_batch, post_batch
):
    from sync.server.db.tables import events

    response = client.post(
        "/staff/events",
        data={
            "csrf": signed_in,
            "id": "far",
            "event_date": "9999-12-31",
            "name_fi": "Kaukana",
            "question_fi": "Mitä?",
        },
    )
    assert response.status_code == 400
    assert "2000" in response.text
    # An event stored before the bound, on the calendar's last day: the calendar still answers.
    with engine.begin() as conn:
        conn.execute(
            insert(events).values(
                id="far",
                name_fi="Kaukana",
                name_sv="",
                name_en="",
                event_date=date.max,
                location="",
                question_fi="Mitä?",
                question_sv="",
                question_en="",
                active=False,
            )
        )
    token = new_follow_up_token()
    _, body = make_batch(
        kiosk.kiosk_id, records=[make_record(kiosk.kiosk_id, follow_up_token=token)]
    )
    assert post_batch(kiosk, body).status_code == 201
    response = client.get(f"/f/{token}/events.ics")
    assert response.status_code == 200 and b"far@kayttajatori" in response.content


@pytest.mark.parametrize("row", ["9" * 30, str(2**31), str(2**63), "-1"])
def test_an_integer_path_id_out_of_range_is_4xx(client, signed_in, row):
    # Found by a probe after the fuzzing: SQLite refuses ints past 64 bits, PostgreSQL past 32.
    client.post("/staff/themes", data={"csrf": signed_in, "id": "t1", "name_fi": "T"})
    for url, action in (
        (f"/staff/themes/t1/steps/{row}", "delete"),
        (f"/staff/themes/t1/steps/{row}", "done"),
        (f"/staff/themes/t1/updates/{row}/delete", ""),
    ):
        response = client.post(url, data={"csrf": signed_in, "action": action})
        assert response.status_code in (404, 422), (url, response.status_code)


# --- 2. secrets compared as bytes, headers parsed strictly


def test_non_ascii_signature_is_401(client, kiosk, make_batch, signed):
    _, body = make_batch(kiosk.kiosk_id)
    headers = signed(kiosk, "POST", "/api/v1/batches", body)
    headers["X-Kiosk-Signature"] = "é" * 64
    response = client.post(
        "/api/v1/batches",
        content=body,
        headers={k: v.encode() if k == "X-Kiosk-Signature" else v for k, v in headers.items()},
    )
    assert response.status_code == 401, response.text


def test_non_ascii_withdraw_proof_is_403(client, kiosk, make_record, make_batch, post_batch):
    token = new_follow_up_token()
    _, body = make_batch(
        kiosk.kiosk_id, records=[make_record(kiosk.kiosk_id, "story", follow_up_token=token)]
    )
    assert post_batch(kiosk, body).status_code == 201
    response = client.post(f"/f/{token}/withdraw", data={"wt": "é", "confirm": "yes"})
    assert response.status_code == 403


def test_non_ascii_csrf_is_403(client):
    client.get("/staff/login")
    response = client.post("/staff/login", data={"csrf": "ä", "username": "x", "password": "y"})
    assert response.status_code == 403


@pytest.mark.parametrize("value", ["²", "1" * 5000, "-3", " 12", "1_000", "١٢", "12abc"])
def test_malformed_pending_header_is_400_naming_it(client, kiosk, make_batch, signed, value):
    _, body = make_batch(kiosk.kiosk_id)
    headers = signed(kiosk, "POST", "/api/v1/batches", body)
    headers["X-Kiosk-Pending"] = value
    response = client.post(
        "/api/v1/batches",
        content=body,
        headers={k: v.encode() for k, v in headers.items()},
    )
    assert response.status_code == 400, response.text
    assert "X-Kiosk-Pending" in response.json()["error"]


@pytest.mark.parametrize("value", ["²", "1" * 5000, "+1700000000", " 1700000000", "1_700_000_000"])
def test_malformed_timestamp_header_is_401(client, kiosk, make_batch, signed, value):
    _, body = make_batch(kiosk.kiosk_id)
    headers = signed(kiosk, "POST", "/api/v1/batches", body)
    headers["X-Kiosk-Timestamp"] = value
    response = client.post(
        "/api/v1/batches", content=body, headers={k: v.encode() for k, v in headers.items()}
    )
    assert response.status_code == 401, response.text
    assert "X-Kiosk-Timestamp" in response.json()["error"]


def test_non_ascii_content_length_is_not_a_crash(client, kiosk, make_batch, signed):
    _, body = make_batch(kiosk.kiosk_id)
    headers = signed(kiosk, "POST", "/api/v1/batches", body)
    response = client.post(
        "/api/v1/batches",
        content=body,
        headers={**headers, "Content-Length": "²".encode()},  # type: ignore[dict-item]
    )
    assert response.status_code < 500


@pytest.mark.parametrize("origin", ["http://[", "http://[::1", "null", "x"])
def test_a_malformed_origin_on_a_staff_form_is_403(client, signed_in, origin):
    # Found while fuzzing: urlsplit refuses "http://[" with a ValueError (a 500).
    response = client.post(
        "/staff/events", data={"csrf": signed_in, "id": "e1"}, headers={"Origin": origin}
    )
    assert response.status_code == 403


# --- 2. NUL bytes: refused in one place, for every path, query and form


@pytest.mark.parametrize(
    "url",
    [
        "/f/abc%00def",
        "/f/abc%00def/events.ics",
        "/f/x?lang=%00",
        "/staff/login?next=%00",
        "/staff/batches/%00",
        "/staff/api/export?event=%00",
    ],
)
def test_nul_in_path_or_query_is_400(client, url):
    response = client.get(url, follow_redirects=False)
    assert response.status_code == 400, (url, response.status_code)


def test_nul_in_a_staff_page_path_or_query_is_400_when_signed_in(client, signed_in):
    for url in ("/staff/batches/a%00b", "/staff/batches?kiosk=%00", "/staff/pictures?event=%00"):
        assert client.get(url).status_code == 400, url


def test_nul_in_login_username_is_4xx(client):
    page = client.get("/staff/login")
    response = client.post(
        "/staff/login", data={"csrf": _csrf(page.text), "username": "a\x00b", "password": "x"}
    )
    assert response.status_code == 400


def test_nul_in_a_staff_form_field_is_400(client, signed_in):
    response = client.post(
        "/staff/events",
        data={
            "csrf": signed_in,
            "id": "e1",
            "event_date": "2026-12-01",
            "name_fi": "N\x00",
            "question_fi": "Q",
        },
    )
    assert response.status_code == 400


def test_nul_in_a_multipart_form_field_is_400(client):
    page = client.get("/staff/login")
    response = client.post(
        "/staff/login",
        files={"username": (None, "a\x00b")},
        data={"csrf": _csrf(page.text), "password": "x"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("body", "status"),
    [(b"\x80", 400), (b"[" * 50_000, 413), (b"[" * 1000, 400), (b"[1]", 422), (b"{}", 422)],
)
def test_enrolment_body_that_is_not_a_code_is_4xx_not_a_crash(client, body, status):
    # Found by the fuzzing: FastAPI's default handler echoed a non-UTF-8 body and could not
    # encode it (500), and a body that was not JSON got a 400 outside the documented shape.
    response = client.post(
        "/api/v1/enroll", content=body, headers={"Content-Type": "application/octet-stream"}
    )
    assert response.status_code == status
    assert set(response.json()) == {"error", "errors"}


# --- 6. shapes exactly as documented


def test_follow_up_token_over_64_characters_is_422(kiosk, make_record, make_batch, post_batch):
    record = make_record(kiosk.kiosk_id, follow_up_token="A" * 65)
    _, body = make_batch(kiosk.kiosk_id, records=[record])
    response = post_batch(kiosk, body)
    assert response.status_code == 422, response.text
    assert _fields(response) == {"follow_up_token"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("event_id", "demo\n"),
        ("kiosk_id", None),  # filled in below: the signing kiosk's id with a newline
        ("follow_up_token", None),
        ("district", "keskusta\n"),
        ("flags", ["ok\n"]),
    ],
)
def test_trailing_newline_is_not_accepted(kiosk, make_record, make_batch, post_batch, field, value):
    record = make_record(kiosk.kiosk_id)
    record[field] = value if value is not None else record[field] + "\n"
    if field == "flags":
        record[field] = value
    _, body = make_batch(kiosk.kiosk_id, records=[record])
    response = post_batch(kiosk, body)
    assert response.status_code == 422, response.text
    assert field in _fields(response)


def test_story_length_is_measured_after_nfc(kiosk, make_record, make_batch, post_batch, count):
    # U+FB2C is one character that NFC normalises to three.
    record = make_record(kiosk.kiosk_id, "story", story="\ufb2c" * 2000)
    _, body = make_batch(kiosk.kiosk_id, records=[record])
    response = post_batch(kiosk, body)
    assert response.status_code == 422, response.text
    assert _fields(response) == {"story"}
    assert count(records) == 0


# --- 7. a token belongs to the first visit that used it


def test_a_token_belongs_to_its_first_visit(
    client, kiosk, other_kiosk, make_record, make_batch, post_batch, count
):
    token = new_follow_up_token()
    first = make_record(kiosk.kiosk_id, "story", follow_up_token=token, story="Minun tarinani.")
    _, body = make_batch(kiosk.kiosk_id, records=[first])
    assert post_batch(kiosk, body).status_code == 201
    # Another kiosk, another visit, the same token.
    hijack = make_record(other_kiosk.kiosk_id, "story", follow_up_token=token, story="Vieras.")
    _, body = make_batch(other_kiosk.kiosk_id, records=[hijack])
    response = post_batch(other_kiosk, body)
    assert response.status_code == 422, response.text
    assert _fields(response) == {"follow_up_token"}
    # The same kiosk, another visit, the same token.
    again = make_record(kiosk.kiosk_id, "story", follow_up_token=token, story="Vieras.")
    _, body = make_batch(kiosk.kiosk_id, records=[again])
    assert post_batch(kiosk, body).status_code == 422
    # Within one batch: two visits sharing a new token.
    shared = new_follow_up_token()
    pair = [make_record(kiosk.kiosk_id, follow_up_token=shared) for _ in range(2)]
    _, body = make_batch(kiosk.kiosk_id, records=pair)
    response = post_batch(kiosk, body)
    assert response.status_code == 422
    assert _fields(response) == {"follow_up_token"}
    assert count(records) == 1
    page = client.get(f"/f/{token}")
    assert "Minun tarinani." in page.text and "Vieras." not in page.text


def test_the_same_visit_may_add_records_and_resend_them(
    kiosk, make_record, make_batch, post_batch, count
):
    token, visit = new_follow_up_token(), str(uuid.uuid4())
    rating = make_record(kiosk.kiosk_id, follow_up_token=token, visit_id=visit)
    _, body = make_batch(kiosk.kiosk_id, records=[rating])
    assert post_batch(kiosk, body).status_code == 201
    story = make_record(kiosk.kiosk_id, "story", follow_up_token=token, visit_id=visit)
    _, body = make_batch(kiosk.kiosk_id, records=[rating, story])  # the rating re-sent
    response = post_batch(kiosk, body)
    assert response.status_code == 201, response.text
    assert response.json()["duplicates"] == 1
    assert count(records) == 2


# --- 10. small ones


def test_export_with_a_non_latin1_event_names_the_file_per_rfc5987(client, signed_in):
    response = client.get("/staff/api/export", params={"event": "Ω-tapahtuma", "format": "csv"})
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert "filename*=UTF-8''kayttajatori-records-%CE%A9-tapahtuma-" in disposition
    assert 'filename="kayttajatori-' in disposition


def test_calendar_download_with_a_non_latin1_event_is_not_a_crash(
    client, kiosk, make_record, make_batch, post_batch
):
    token = new_follow_up_token()
    _, body = make_batch(
        kiosk.kiosk_id, records=[make_record(kiosk.kiosk_id, follow_up_token=token)]
    )
    assert post_batch(kiosk, body).status_code == 201
    assert client.get(f"/f/{token}/events.ics", params={"event": "Ω"}).status_code == 404


def test_record_refused_by_the_schema_names_created_at_in_protocol_terms():
    # The bound is part of the protocol: the kiosk's store refuses what the server would.
    from sync.protocol import RecordValidationError, validate_record

    record = json.loads(
        json.dumps(
            {
                "visit_id": str(uuid.uuid4()),
                "created_at": "9999-12-31T23:59:59Z",
                "kiosk_id": "k",
                "event_id": "e",
                "kind": "rating",
                "rating": 2,
                "lang": "fi",
                "follow_up_token": new_follow_up_token(),
            }
        )
    )
    with pytest.raises(RecordValidationError) as caught:
        validate_record(record)
    assert [e.field for e in caught.value.errors] == ["created_at"]
    assert canonical_json(record)  # still serialisable
    with pytest.raises(RecordValidationError):
        validate_record(dict(record, created_at="2026-11-14T10:00:00Z", event_id="e\n"))
