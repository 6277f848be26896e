"""Events with a start and end time and a place per language: the staff form, the list and the
calendar file a visitor downloads."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import select

from sync.server.db.tables import events
from sync.server.domain.calendar_ics import events_ics


def test_a_timed_event_is_placed_in_helsinki_time_with_its_place_and_link():
    event = {
        "id": "kt-2027-01",
        "event_date": date(2027, 1, 20),
        "start_time": time(17, 0),
        "end_time": time(19, 30),
        "name_fi": "Käyttäjätori",
        "name_sv": "Användartorget",
        "question_fi": "Miltä näyttää?",
        "question_sv": "Hur ser det ut?",
        "location": "Mikkelin pääkirjasto",
        "location_sv": "S:t Michels huvudbibliotek",
        "location_en": "",
    }
    url = "https://palaute.example.fi/f/TOKEN"
    cal = Calendar.from_ical(events_ics([event], "sv", url=url))
    (vevent,) = cal.walk("VEVENT")
    start, end = vevent["dtstart"].dt, vevent["dtend"].dt
    helsinki = ZoneInfo("Europe/Helsinki")
    assert start == datetime(2027, 1, 20, 17, 0, tzinfo=helsinki)
    assert end - start == timedelta(hours=2, minutes=30)
    assert str(vevent["location"]) == "S:t Michels huvudbibliotek"
    assert str(vevent["url"]) == url and url in str(vevent["description"])
    assert cal.walk("VTIMEZONE"), "a timed entry carries its time zone"
    english = Calendar.from_ical(events_ics([event], "en")).walk("VEVENT")[0]
    assert str(english["location"]) == "Mikkelin pääkirjasto"  # falls back to Finnish


def _form(token: str, **extra) -> dict:
    return {
        "csrf": token,
        "id": "kt-2027-01",
        "event_date": "2027-01-20",
        "name_fi": "Käyttäjätori tammikuu",
        "question_fi": "Miten hyvin kaupungin kehittäminen näkyy sinulle?",
        "location": "Pääkirjasto",
        "location_sv": "Huvudbiblioteket",
        **extra,
    }


def test_staff_save_an_event_with_times_and_places(client, login, engine):
    token = login()
    saved = client.post(
        "/staff/events",
        data=_form(token, start_time="17:00", end_time="19.30"),
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    with engine.connect() as conn:
        row = conn.execute(select(events).where(events.c.id == "kt-2027-01")).mappings().one()
    assert (row["start_time"], row["end_time"]) == (time(17, 0), time(19, 30))
    assert row["location_sv"] == "Huvudbiblioteket"
    listing = client.get("/staff/events?lang=sv").text
    assert "17.00–19.30" in listing and "Huvudbiblioteket" in listing
    edit = client.get("/staff/events?edit=kt-2027-01").text
    assert 'value="17:00"' in edit and 'value="19:30"' in edit


def test_event_times_are_checked(client, login):
    token = login()
    for extra, message in (
        ({"start_time": "18:00", "end_time": "17:00"}, "täytyy päättyä alkamisen jälkeen"),
        ({"end_time": "17:00"}, "anna myös alkamisaika"),
        ({"start_time": "puoli kuusi"}, "anna kellonaika, esimerkiksi 18.00"),
    ):
        response = client.post("/staff/events", data=_form(token, **extra))
        assert response.status_code == 400, extra
        alert = response.text.split('role="alert">')[1].split("</p>")[0]
        assert message in alert, (extra, alert)
