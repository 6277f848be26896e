"""GET /api/v1/kiosk-config on both engines: content built from the tables, and the ETag."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from sync.protocol import KioskConfig
from sync.server.db.kiosk_config import iso_week
from sync.server.db.seed import seed_from_config
from sync.server.db.tables import records, themes

PATH = "/api/v1/kiosk-config"

CONTENT = {
    "generated_at": "2026-11-01T00:00:00Z",
    "public_base_url": "http://ignored.example",
    "event": {
        "id": "kayttajatori-2026-11",
        "name": {"fi": "Käyttäjätori marraskuu", "sv": "Användartorget", "en": "User market"},
        "date": "2026-11-14",
        "question": {"fi": "Miltä Mikkeli tuntuu?", "en": "How does Mikkeli feel?"},
        "location": "Pääkirjasto",
    },
    "themes": [
        {
            "id": "liikenne",
            "name": {"fi": "Liikenne", "sv": "Trafik", "en": "Transport"},
            "velho": {
                "name": "Ville Velho",
                "role": {"fi": "Liikenneinsinööri"},
                "contact": "v@x.fi",
            },
            "path": [
                {"date": "2027-03-01", "title": {"fi": "Suunnitelma"}},
                {"date": "2026-12-01", "title": {"fi": "Kysely"}, "done": True},
            ],
            "updates": [
                {"date": f"2026-10-{day:02d}", "text": {"fi": f"Päivitys {day}"}}
                for day in range(1, 8)
            ],
        },
        {"id": "kulttuuri", "name": {"fi": "Kulttuuri"}},
    ],
}


@pytest.fixture
def seeded(engine):
    seed_from_config(engine, KioskConfig.model_validate(CONTENT))
    return engine


def _get(client, signed, kiosk, **headers):
    return client.get(PATH, headers=signed(kiosk, "GET", PATH) | headers)


def test_themes_event_and_paths(seeded, client, kiosk, signed, settings):
    response = _get(client, signed, kiosk)
    assert response.status_code == 200
    config = KioskConfig.model_validate(response.json())
    assert config.public_base_url == settings.public_base_url
    assert config.event.id == "kayttajatori-2026-11" and config.event.question.en
    assert [t.id for t in config.themes] == ["liikenne", "kulttuuri"]
    transport = config.themes[0]
    assert transport.velho.name == "Ville Velho"
    assert [s.date for s in transport.path] == ["2026-12-01", "2027-03-01"]
    assert transport.path[0].done is True
    assert [u.date for u in transport.updates] == [f"2026-10-{d:02d}" for d in (7, 6, 5, 4, 3)]
    assert config.themes[1].velho is None
    assert len(transport.mood_weeks) == settings.mood_weeks


def test_velho_contact_only_when_public(seeded, client, kiosk, signed):
    contact = {t["id"]: t.get("velho") for t in _get(client, signed, kiosk).json()["themes"]}
    assert contact["liikenne"]["contact"] == "v@x.fi"  # seeding makes a given contact public
    with seeded.begin() as conn:
        conn.execute(update(themes).values(velho_contact_public=False))
    contact = {t["id"]: t.get("velho") for t in _get(client, signed, kiosk).json()["themes"]}
    assert contact["liikenne"]["contact"] is None


def test_inactive_theme_is_left_out(seeded, client, kiosk, signed):
    with seeded.begin() as conn:
        conn.execute(update(themes).where(themes.c.id == "kulttuuri").values(active=False))
    assert [t["id"] for t in _get(client, signed, kiosk).json()["themes"]] == ["liikenne"]


def test_mood_weeks_count_ratings_of_visits_that_chose_the_theme(
    seeded, client, kiosk, signed, make_record, make_batch, post_batch
):
    now = datetime.now(UTC)
    last_week = now - timedelta(days=7)
    stamp = lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # noqa: E731
    recs = []
    for moment, rating, theme_ids in [
        (now, 4, ["liikenne"]),
        (now, 4, ["liikenne", "kulttuuri"]),
        (now, 1, ["kulttuuri"]),
        (last_week, 2, ["liikenne"]),
        (now, 3, []),  # no theme chosen: counts for no theme
        (now - timedelta(weeks=20), 1, ["liikenne"]),  # older than the window
    ]:
        visit = str(uuid.uuid4())
        recs.append(
            make_record(kiosk.kiosk_id, visit_id=visit, rating=rating, created_at=stamp(moment))
        )
        if theme_ids:
            recs.append(
                make_record(
                    kiosk.kiosk_id,
                    "themes",
                    visit_id=visit,
                    theme_ids=theme_ids,
                    created_at=stamp(moment),
                )
            )
    _, body = make_batch(kiosk.kiosk_id, records=recs)
    assert post_batch(kiosk, body).status_code == 201
    moods = {t["id"]: t["mood_weeks"] for t in _get(client, signed, kiosk).json()["themes"]}
    this_week, previous = iso_week(now.date()), iso_week(last_week.date())
    transport = {w["week"]: w["counts"] for w in moods["liikenne"]}
    assert moods["liikenne"][-1]["week"] == this_week
    assert transport[this_week] == {"1": 0, "2": 0, "3": 0, "4": 2}
    assert transport[previous] == {"1": 0, "2": 1, "3": 0, "4": 0}
    culture = {w["week"]: w["counts"] for w in moods["kulttuuri"]}
    assert culture[this_week] == {"1": 1, "2": 0, "3": 0, "4": 1}
    assert sum(sum(w["counts"].values()) for w in moods["liikenne"]) == 3


def test_mood_weeks_count_a_visit_once_with_its_last_face_and_leave_quick_repeats_out(
    seeded, client, kiosk, signed, make_record, make_batch, post_batch
):
    now = datetime.now(UTC)
    stamp = lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # noqa: E731
    changed, quick = str(uuid.uuid4()), str(uuid.uuid4())
    recs = [
        make_record(kiosk.kiosk_id, visit_id=changed, rating=1, created_at=stamp(now)),
        make_record(
            kiosk.kiosk_id,
            visit_id=changed,
            rating=4,
            created_at=stamp(now + timedelta(seconds=20)),
        ),
        make_record(
            kiosk.kiosk_id, visit_id=quick, rating=2, created_at=stamp(now), flags=["rapid_repeat"]
        ),
    ]
    for visit in (changed, quick):
        recs.append(
            make_record(
                kiosk.kiosk_id,
                "themes",
                visit_id=visit,
                theme_ids=["liikenne"],
                created_at=stamp(now),
            )
        )
    _, body = make_batch(kiosk.kiosk_id, records=recs)
    assert post_batch(kiosk, body).status_code == 201
    moods = {t["id"]: t["mood_weeks"] for t in _get(client, signed, kiosk).json()["themes"]}
    this_week = iso_week(now.date())
    transport = {w["week"]: w["counts"] for w in moods["liikenne"]}
    assert transport[this_week] == {"1": 0, "2": 0, "3": 0, "4": 1}


def test_only_approved_stories_with_redactions(
    engine, client, kiosk, signed, make_record, make_batch, post_batch
):
    texts = ["Hyväksytty tarina", "Odottava tarina", "Piilotettu tarina", "Peruttu", "Soita 040"]
    recs = [make_record(kiosk.kiosk_id, "story", story=t, theme_ids=["liikenne"]) for t in texts]
    _, body = make_batch(kiosk.kiosk_id, records=recs)
    assert post_batch(kiosk, body).status_code == 201
    status = {0: "approved", 2: "hidden", 3: "withdrawn", 4: "approved"}
    with engine.begin() as conn:
        for index, value in status.items():
            conn.execute(
                update(records).where(records.c.id == recs[index]["id"]).values(story_status=value)
            )
        conn.execute(
            update(records).where(records.c.id == recs[4]["id"]).values(story_redacted="Soita […]")
        )
    stories = _get(client, signed, kiosk).json()["stories"]
    assert sorted(s["text"] for s in stories) == ["Hyväksytty tarina", "Soita […]"]
    assert all(s["theme_ids"] == ["liikenne"] for s in stories)


def test_etag_gives_304_until_something_changes(seeded, client, kiosk, signed):
    first = _get(client, signed, kiosk)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = _get(client, signed, kiosk, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert (
        _get(client, signed, kiosk, **{"If-None-Match": etag.removeprefix("W/")}).status_code == 304
    )
    assert _get(client, signed, kiosk, **{"If-None-Match": '"other"'}).status_code == 200
    with seeded.begin() as conn:
        conn.execute(update(themes).where(themes.c.id == "kulttuuri").values(name_en="Culture"))
    changed = _get(client, signed, kiosk, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_empty_server_answers_an_empty_config(client, kiosk, signed):
    body = _get(client, signed, kiosk).json()
    assert body["event"] is None and body["themes"] == [] and body["stories"] == []


def test_seeding_twice_changes_nothing(engine):
    config = KioskConfig.model_validate(CONTENT)
    first = seed_from_config(engine, config)
    second = seed_from_config(engine, config)
    assert (first.themes, first.steps_added, first.updates_added) == (2, 2, 7)
    assert (second.steps_added, second.updates_added) == (0, 0)
    assert date.fromisoformat(CONTENT["event"]["date"])  # the fixture's own sanity


def test_the_velho_photo_staff_set_reaches_the_kiosk(seeded, client, kiosk, signed):
    velho = {t["id"]: t.get("velho") for t in _get(client, signed, kiosk).json()["themes"]}
    assert velho["liikenne"]["photo_url"] is None  # optional
    with seeded.begin() as conn:
        conn.execute(
            update(themes)
            .where(themes.c.id == "liikenne")
            .values(velho_photo_url="https://kuvat.mikkeli.fi/ville.jpg")
        )
    velho = {t["id"]: t.get("velho") for t in _get(client, signed, kiosk).json()["themes"]}
    assert velho["liikenne"]["photo_url"] == "https://kuvat.mikkeli.fi/ville.jpg"
