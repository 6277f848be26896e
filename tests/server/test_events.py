"""Events per kiosk on both engines: a region's server runs each library's event side by side."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from sync.server.db.events import SWITCHABLE_EVENTS, conflicting_active_events, events_for_kiosk
from sync.server.db.kiosks import enroll_kiosk
from sync.server.db.plans import activate_event, save_event
from sync.server.db.tables import event_kiosks, events

PATH = "/api/v1/kiosk-config"
TODAY = datetime.now(UTC).date()


def add_event(engine, event_id, *, days=30, kiosks=(), active=False):
    with engine.begin() as conn:
        conn.execute(
            insert(events).values(
                id=event_id,
                name_fi=f"Tori {event_id}",
                name_sv="",
                name_en="",
                event_date=TODAY + timedelta(days=days),
                location="",
                question_fi=f"Kysymys {event_id}?",
                question_sv="",
                question_en="",
                active=active,
            )
        )
        for kiosk_id in kiosks:
            conn.execute(insert(event_kiosks).values(event_id=event_id, kiosk_id=kiosk_id))


def active_ids(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(events.c.id).where(events.c.active.is_(True))).scalars())


def config_of(client, signed, kiosk) -> dict:
    response = client.get(PATH, headers=signed(kiosk, "GET", PATH))
    assert response.status_code == 200
    return response.json()


def test_each_library_gets_its_own_event_beside_a_regional_one(
    engine, client, signed, kiosk, other_kiosk
):
    add_event(engine, "region", kiosks=(), active=True)
    add_event(engine, "library-a", days=10, kiosks=[kiosk.kiosk_id])
    add_event(engine, "library-b", days=20, kiosks=[other_kiosk.kiosk_id])
    assert activate_event(engine, "library-a") == []  # a chosen-kiosk event ends nothing
    assert active_ids(engine) == {"region", "library-a"}
    # At kiosk A its own event comes first; kiosk B still has the region's.
    config_a = config_of(client, signed, kiosk)
    config_b = config_of(client, signed, other_kiosk)
    assert config_a["event"]["id"] == "library-a"
    assert config_a["event"]["question"]["fi"] == "Kysymys library-a?"
    assert config_b["event"]["id"] == "region"
    # What each kiosk's staff may switch to: its own and the all-kiosk ones, never another's.
    assert [e["id"] for e in config_a["events"]] == ["library-a", "region"]
    assert [e["id"] for e in config_b["events"]] == ["library-b", "region"]
    assert activate_event(engine, "library-b") == []
    assert config_of(client, signed, other_kiosk)["event"]["id"] == "library-b"
    assert config_of(client, signed, kiosk)["event"]["id"] == "library-a"


def test_making_an_event_active_ends_only_the_ones_it_clashes_with(engine, kiosk, other_kiosk):
    both = [kiosk.kiosk_id, other_kiosk.kiosk_id]
    add_event(engine, "region-old", active=True)
    add_event(engine, "a-old", kiosks=[kiosk.kiosk_id], active=True)
    add_event(engine, "b-old", kiosks=[other_kiosk.kiosk_id], active=True)
    add_event(engine, "region-new")
    add_event(engine, "a-and-b", kiosks=both)
    assert activate_event(engine, "region-new") == ["region-old"]
    assert active_ids(engine) == {"region-new", "a-old", "b-old"}
    assert activate_event(engine, "a-and-b") == ["a-old", "b-old"]
    assert active_ids(engine) == {"region-new", "a-and-b"}
    with pytest.raises(LookupError):
        activate_event(engine, "no-such-event")
    assert active_ids(engine) == {"region-new", "a-and-b"}  # nothing changed by the refusal


def test_an_active_events_new_kiosks_must_not_clash(engine, kiosk, other_kiosk):
    add_event(engine, "a-now", kiosks=[kiosk.kiosk_id], active=True)
    add_event(engine, "b-now", kiosks=[other_kiosk.kiosk_id], active=True)
    values = {
        "id": "b-now",
        "name_fi": "Tori B",
        "event_date": TODAY,
        "question_fi": "Mitä?",
    }
    with pytest.raises(ValueError, match="kiosks: the active event 'a-now'"):
        save_event(engine, values, [kiosk.kiosk_id, other_kiosk.kiosk_id], create=False)
    with engine.connect() as conn:  # nothing of the refused save was written
        assert conflicting_active_events(conn, "b-now", [other_kiosk.kiosk_id]) == []
        kept = conn.execute(select(events.c.name_fi).where(events.c.id == "b-now")).scalar()
    assert kept == "Tori b-now"
    # An inactive event may list any kiosks: it clashes only once it is made active.
    add_event(engine, "later")
    save_event(engine, values | {"id": "later"}, [kiosk.kiosk_id], create=False)
    assert activate_event(engine, "later") == ["a-now"]


def test_past_inactive_events_are_not_offered_and_the_list_is_short(engine, kiosk):
    add_event(engine, "last-year", days=-365)
    add_event(engine, "long-ago-but-active", days=-30, active=True)
    for n in range(SWITCHABLE_EVENTS + 3):
        add_event(engine, f"coming-{n:02d}", days=n + 1)
    with engine.connect() as conn:
        active, switchable = events_for_kiosk(conn, kiosk.kiosk_id, TODAY)
    assert active.id == "long-ago-but-active"
    ids = [row.id for row in switchable]
    assert len(ids) == SWITCHABLE_EVENTS
    assert ids[0] == "long-ago-but-active"  # by date, and the active one is always offered
    assert ids[1:] == [f"coming-{n:02d}" for n in range(SWITCHABLE_EVENTS - 1)]
    assert "last-year" not in ids


def test_a_kiosk_enrolled_later_gets_the_event_for_all_kiosks(engine, client, signed, kiosk):
    add_event(engine, "region", active=True)
    add_event(engine, "a-only", kiosks=[kiosk.kiosk_id], active=True)
    newcomer = enroll_kiosk(engine, "Uusi", "Sivukirjasto")
    config = config_of(client, signed, newcomer)
    assert config["event"]["id"] == "region"
    assert [e["id"] for e in config["events"]] == ["region"]
    assert isinstance(date.fromisoformat(config["event"]["date"]), date)
