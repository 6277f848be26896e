"""EventChoice on a real LocalStore: the server's event first, staff's choice until it changes."""

from __future__ import annotations

import pytest

from kiosk.event_choice import CHOICE_KEY, EventChoice
from kiosk.store import LocalStore
from sync.protocol import KioskConfig


def config(active: str | None, *coming: str) -> KioskConfig:
    def event(event_id: str) -> dict:
        return {
            "id": event_id,
            "name": {"fi": f"Tori {event_id}"},
            "date": "2027-01-20",
            "question": {"fi": f"Kysymys {event_id}?"},
        }

    ids = ([active] if active else []) + list(coming)
    return KioskConfig.model_validate(
        {
            "generated_at": "2026-12-01T00:00:00Z",
            "public_base_url": "http://kiosk.example",
            "event": event(active) if active else None,
            "events": [event(i) for i in ids],
        }
    )


@pytest.fixture
def store(tmp_path):
    with LocalStore(tmp_path / "data") as opened:
        yield opened


def test_staff_choice_holds_until_the_server_makes_another_event_active(store):
    content = {"now": config("marras", "helmi")}
    events = EventChoice(store, lambda: content["now"], configured="", default="kayttajatori")
    assert events.current_id() == "marras"
    assert [event_id for event_id, _ in events.known()] == ["marras", "helmi"]
    events.choose("helmi")
    assert events.current().question.fi == "Kysymys helmi?"
    content["now"] = config("marras", "helmi", "maalis")  # a pull that kept the active event
    assert events.current_id() == "helmi"
    content["now"] = config("maalis", "helmi")  # staff on the server chose another one
    assert events.current_id() == "maalis"
    events.choose("maalis")  # the server's own: no choice of the kiosk's is kept
    assert store.get_meta(CHOICE_KEY) is None


def test_a_chosen_event_that_is_no_longer_offered_falls_back_to_the_servers(store):
    content = {"now": config("marras", "helmi")}
    events = EventChoice(store, lambda: content["now"], configured="", default="kayttajatori")
    events.choose("helmi")
    content["now"] = config("marras")  # helmi was deleted on the server
    assert events.current_id() == "marras"


def test_without_a_server_event_the_config_files_event_is_offered(store):
    content = config(None)
    events = EventChoice(store, lambda: content, configured="ilta-2027", default="kayttajatori")
    assert events.current() is None
    assert events.current_id() == "ilta-2027"
    assert events.known() == [("ilta-2027", None)]
    bare = EventChoice(store, lambda: content, configured="", default="kayttajatori")
    assert bare.current_id() == "kayttajatori" and bare.known() == []


def test_an_old_plain_string_choice_is_ignored(store):
    store.set_meta(
        CHOICE_KEY, "helmi"
    )  # what a kiosk stored before choices were tied to the server
    events = EventChoice(store, lambda: config("marras", "helmi"), configured="", default="x")
    assert events.current_id() == "marras"
